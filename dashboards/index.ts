import type { StackConfig } from "../config/schema";

/** A dashboard ready to be written as JSON; `uid` is also its file name. */
export interface RenderedDashboard {
  uid: string;
  title: string;
  json: unknown;
}

/** Every dashboard of the stack. Filled in by the dashboards-as-code work (issue 7). */
export function buildDashboards(_config: StackConfig): RenderedDashboard[] {
  return [];
}
