import type { StackConfig } from "../config/schema";
import type { RenderedDashboard } from "./dashboard";
import { infrastructureDashboard } from "./infrastructure";
import { internalHealthDashboard } from "./internal-health";
import { logsDashboard } from "./logs";
import { overviewDashboard } from "./overview";
import { userExperienceDashboard } from "./user-experience";

export type { RenderedDashboard } from "./dashboard";
export { trafficLights, type TrafficLight } from "./traffic-lights";

/** Every dashboard of the stack, Overview (the home dashboard) first. */
export function buildDashboards(config: StackConfig): RenderedDashboard[] {
  return [overviewDashboard(config), userExperienceDashboard(config), internalHealthDashboard(config), infrastructureDashboard(config), logsDashboard(config)];
}
