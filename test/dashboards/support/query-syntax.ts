import { parser as logqlParser } from "@grafana/lezer-logql";
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import type { Tree } from "@lezer/common";

/** Where the grammar gave up: the error nodes of the parse tree, with the text around them. */
function syntaxErrors(tree: Tree, text: string): string[] {
  const errors: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: …${text.slice(Math.max(0, node.from - 20), node.to + 20)}…`);
    },
  });
  return errors;
}

/** Syntax errors of a PromQL expression per Prometheus' own lezer grammar (empty when it parses). */
export function promqlErrors(expr: string): string[] {
  return syntaxErrors(promqlParser.parse(expr), expr);
}

/** Syntax errors of a LogQL expression per Grafana's lezer grammar (empty when it parses). */
export function logqlErrors(expr: string): string[] {
  return syntaxErrors(logqlParser.parse(expr), expr);
}

/**
 * Metric names a PromQL expression reads: the name of every vector selector, and the names in a
 * `__name__` matcher (an alternation of plain names, as in `{__name__=~"up|redis_up"}`).
 */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const tree = promqlParser.parse(expr);
  tree.iterate({
    enter: (ref) => {
      if (ref.name === "VectorSelector") {
        const identifier = ref.node.getChild("Identifier");
        if (identifier) names.add(expr.slice(identifier.from, identifier.to));
      }
      if (ref.name === "UnquotedLabelMatcher") {
        const label = ref.node.getChild("LabelName");
        const value = ref.node.getChild("StringLiteral");
        if (label && value && expr.slice(label.from, label.to) === "__name__") {
          const text = JSON.parse(expr.slice(value.from, value.to)) as string;
          for (const name of text.split("|")) {
            if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`__name__ matcher ${text} is not a list of names`);
            names.add(name);
          }
        }
      }
    },
  });
  return [...names];
}
