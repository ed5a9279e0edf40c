import { Command } from "commander";
import { runMain } from "../config/errors";
import { formatMarkdown, formatText } from "./diff/format";
import { diffStacks } from "./diff/stacks";

/**
 * `npm run diff`: what a change does to the deployed artifacts, in words. Compares the fresh
 * render of the working tree with the committed `generated/<stack>/` of a git ref and reports,
 * per stack: the config values that changed, then which alert changed and how (threshold, window,
 * `for`, labels, annotations), which recording rule, receiver, route, scrape job, dashboard panel.
 * Usable offline (`npm run diff`) and as a pull-request comment (`--markdown`). The work is done
 * under tools/diff/: the change model, structural and PromQL comparison, one differ per artifact,
 * git, and the text/Markdown formatters.
 */
const program = new Command("diff")
  .description("Readable diff of the rendered artifacts (alerts, routes, scrape jobs, dashboards) between the working tree and a git ref")
  .option("--ref <ref>", "git ref to compare with (default: origin/main, or HEAD without a remote)")
  .option("--stack <name...>", "only these stacks (default: every Pulumi.<stack>.yaml)")
  .option("--markdown", "print Markdown for a pull-request comment")
  .option("--exit-code", "exit 1 when something changed")
  .parse();
const options = program.opts<{ ref?: string; stack?: string[]; markdown?: boolean; exitCode?: boolean }>();
runMain(() => {
  const result = diffStacks({ ref: options.ref, stacks: options.stack });
  process.stdout.write(options.markdown ? formatMarkdown(result) : formatText(result));
  return options.exitCode && result.stacks.some((s) => s.status !== "unchanged") ? 1 : 0;
});
