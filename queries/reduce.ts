/**
 * Reductions of a multi-series expression to the one number a stat panel or a traffic light
 * shows. They only wrap text, like the builders in promql.ts.
 */

/** The largest value over all series. */
export function highest(expr: string): string {
  return `max(${expr})`;
}

/** The smallest value over all series. */
export function lowest(expr: string): string {
  return `min(${expr})`;
}

/** All series added up. */
export function total(expr: string): string {
  return `sum(${expr})`;
}

/** Rounded up to a whole number, so that "at least 1" means exactly "more than 0" (an increase() is fractional). */
export function roundedUp(expr: string): string {
  return `ceil(${expr})`;
}
