import { ConfigError } from "../config/errors";

/**
 * Runs a command's main function: a ConfigError prints its message (no stack trace) and
 * exits 2; any other error prints one line and exits 1.
 */
export function runMain(main: () => Promise<number | void> | number | void): void {
  Promise.resolve()
    .then(main)
    .then((code) => {
      process.exitCode = typeof code === "number" ? code : 0;
    })
    .catch((error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        if (process.env.VOTEOBS_DEBUG) console.error(error);
        process.exitCode = 1;
      }
    });
}
