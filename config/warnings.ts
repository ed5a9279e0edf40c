import { NAMESPACE } from "./errors";
import { RUNBOOK_PLACEHOLDER, type StackConfig } from "./schema";

/**
 * What a valid config should still not ship silently: each a line naming the setting to change.
 * `pulumi preview`/`up` print them as Pulumi warnings (index.ts), `npm run render` on stderr.
 */
export function configWarnings(config: StackConfig): string[] {
  const warnings: string[] = [];
  if (config.alerts.runbookBaseUrl === RUNBOOK_PLACEHOLDER) {
    warnings.push(
      `${NAMESPACE}:alerts → runbookBaseUrl is the placeholder ${RUNBOOK_PLACEHOLDER}: every alert's runbook link points there, not at your runbook. ` +
        `Set it to where your copy of RUNBOOK.md lives, e.g. \`pulumi config set --path '${NAMESPACE}:alerts.runbookBaseUrl' https://github.com/<org>/<repo>/blob/main/RUNBOOK.md\``,
    );
  }
  return warnings;
}
