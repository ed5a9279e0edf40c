import { runMain } from "../config/errors";
import { ensureToolchain } from "../toolchain/ensure";
import { GoMissingError } from "../toolchain/go";
import { ensurePackages, MissingPackagesError, type Purpose } from "./debian";

/**
 * `node --import tsx setup/main.ts <local|test|bench>`: what `npm run local`, `npm test` and
 * `npm run bench` run first (after setup/node-modules.js): the missing Debian packages, then the
 * pinned toolchain. Each step says what it does; a failure names the command that fixes it.
 */
const PURPOSES: readonly Purpose[] = ["local", "test", "bench"];

runMain(async () => {
  const purpose = process.argv[2] as Purpose;
  if (!PURPOSES.includes(purpose)) throw new Error(`usage: setup/main.ts <${PURPOSES.join("|")}>`);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  try {
    ensurePackages(purpose, log);
    await ensureToolchain(log, process.stdout);
    return 0;
  } catch (error) {
    if (error instanceof MissingPackagesError || error instanceof GoMissingError) {
      process.stderr.write(`setup: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
});
