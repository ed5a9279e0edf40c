export * from "./components";
export * from "./duration";
export * from "./errors";
export * from "./quantities";
export * from "./schema";
export * from "./secrets";
export * from "./warnings";
export { deepMerge, loadFromPulumi, loadStackFile, parseStackConfig, parseStackText, type DeployConfig, type PulumiConfigReader, type ResolvedSecret, type StackFileConfig } from "./load";
