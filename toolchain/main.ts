import { runMain } from "../config/errors";
import { ensureToolchain } from "./ensure";
import { GoMissingError } from "./go";

/**
 * `npm run toolchain`: builds every pinned upstream tool of config/versions.ts from its Go module
 * with this machine's go, into the per-user cache, reusing what is already built there.
 * `--json` prints `{"<tool>": {"version": "<x.y.z>", "path": "<absolute path>"}}` on stdout.
 */
runMain(async () => {
  const json = process.argv.includes("--json");
  const stream = json ? process.stderr : process.stdout;
  try {
    const listing = await ensureToolchain((line) => stream.write(`${line}\n`), stream);
    if (json) process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof GoMissingError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
});
