import { CustomVariableBuilder, TextBoxVariableBuilder, VariableHide } from "@grafana/grafana-foundation-sdk/dashboard";

/** Name of the variable every dashboard has, so `?var-service=vote` works everywhere. */
export const SERVICE_VARIABLE = "service";
/** The variable as queries use it: a regex of the chosen services. */
export const SERVICE = "$service";

/** Matches every service when "All" is chosen; never the empty string, which Loki refuses as a lone matcher. */
const ALL_SERVICES = ".+";

/**
 * The `service` variable, a fixed list (no query, so the dashboard loads without one and a link's
 * value is always a known option). Multi-value with "All" where panels compare services.
 */
export function serviceVariable(services: readonly string[], selected: { all: true } | { one: string }): CustomVariableBuilder {
  const variable = new CustomVariableBuilder(SERVICE_VARIABLE).label("Service").values(services.join(","));
  if ("all" in selected) {
    return variable.multi(true).includeAll(true).allValue(ALL_SERVICES).current({ text: ["All"], value: ["$__all"] });
  }
  return variable.multi(false).includeAll(false).current({ text: selected.one, value: selected.one });
}

/** Name of the free-text line filter of the Logs dashboard. */
const SEARCH_VARIABLE = "search";
export const SEARCH = "$search";

export function searchVariable(): TextBoxVariableBuilder {
  return new TextBoxVariableBuilder(SEARCH_VARIABLE).label("Line contains").hide(VariableHide.DontHide).defaultValue("");
}
