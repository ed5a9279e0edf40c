/**
 * A reader for the part of Alloy's configuration syntax our renderer writes: blocks with an
 * optional label, attributes, strings, numbers, booleans, lists, objects and references. It
 * follows the language reference (statements end at a newline; a list or object that closes on
 * its own line needs a trailing comma; string escapes as in Go) and throws on what Alloy would
 * refuse. It does not evaluate anything: references are kept as dotted paths.
 */

export type Expr =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "null" }
  | { kind: "list"; items: Expr[] }
  | { kind: "object"; fields: Record<string, Expr> }
  | { kind: "ref"; path: string[] }
  | { kind: "call"; path: string[]; args: Expr[] };

export interface Block {
  name: string;
  label?: string;
  attributes: Record<string, Expr>;
  blocks: Block[];
  line: number;
}

interface Token {
  type: "ident" | "string" | "number" | "punct" | "eof";
  text: string;
  value?: string;
  line: number;
  /** A newline separates this token from the previous one. */
  newlineBefore: boolean;
}

const ESCAPES: Record<string, string> = { "\\": "\\", '"': '"', n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v" };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let newline = true;
  const fail = (message: string): never => {
    throw new Error(`line ${line}: ${message}`);
  };
  while (i < source.length) {
    const c = source[i];
    if (c === "\n") {
      line++;
      newline = true;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (source.startsWith("//", i)) {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      if (end < 0) fail("unterminated comment");
      line += source.slice(i, end).split("\n").length - 1;
      i = end + 2;
    } else if (c === '"') {
      let value = "";
      let j = i + 1;
      for (;;) {
        const ch = source[j];
        if (ch === undefined || ch === "\n") fail("unterminated string");
        if (ch === '"') break;
        if (ch === "\\") {
          const next = source[j + 1];
          if (next in ESCAPES) {
            value += ESCAPES[next];
            j += 2;
          } else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(source.slice(j + 2, j + 6))) {
            value += String.fromCharCode(parseInt(source.slice(j + 2, j + 6), 16));
            j += 6;
          } else {
            fail(`invalid escape \\${next} in string`);
          }
        } else {
          value += ch;
          j++;
        }
      }
      tokens.push({ type: "string", text: source.slice(i, j + 1), value, line, newlineBefore: newline });
      newline = false;
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))![0];
      tokens.push({ type: "ident", text: match, line, newlineBefore: newline });
      newline = false;
      i += match.length;
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))![0];
      tokens.push({ type: "number", text: match, line, newlineBefore: newline });
      newline = false;
      i += match.length;
    } else if ("{}[]()=,.".includes(c)) {
      tokens.push({ type: "punct", text: c, line, newlineBefore: newline });
      newline = false;
      i++;
    } else {
      fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }
  tokens.push({ type: "eof", text: "", line, newlineBefore: true });
  return tokens;
}

export function parseAlloy(source: string): Block[] {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const fail = (token: Token, message: string): never => {
    throw new Error(`line ${token.line}: ${message} (at ${JSON.stringify(token.text)})`);
  };
  const expect = (text: string): Token => {
    const token = next();
    if (token.text !== text || token.type === "string") fail(token, `expected ${text}`);
    return token;
  };

  function body(closing: string | undefined): { attributes: Record<string, Expr>; blocks: Block[] } {
    const attributes: Record<string, Expr> = {};
    const blocks: Block[] = [];
    let first = true;
    for (;;) {
      const token = peek();
      if (closing !== undefined && token.text === closing && token.type === "punct") return { attributes, blocks };
      if (closing === undefined && token.type === "eof") return { attributes, blocks };
      if (token.type !== "ident") fail(token, "expected an attribute or a block");
      if (!first && !token.newlineBefore) fail(token, "statements must be on separate lines");
      first = false;
      const start = next();
      const path = [start.text];
      while (peek().text === "." && peek().type === "punct") {
        next();
        const part = next();
        if (part.type !== "ident") fail(part, "expected a name after .");
        path.push(part.text);
      }
      if (peek().text === "=" && peek().type === "punct") {
        if (path.length > 1) fail(start, "an attribute name has no dots");
        next();
        if (path[0] in attributes) fail(start, `attribute ${path[0]} set twice`);
        attributes[path[0]] = expression();
        continue;
      }
      let label: string | undefined;
      if (peek().type === "string") label = next().value;
      expect("{");
      const inner = body("}");
      expect("}");
      blocks.push({ name: path.join("."), label, ...inner, line: start.line });
    }
  }

  /** Items up to `closing`, comma separated; a closing bracket on its own line needs a trailing comma. */
  function items<T>(closing: string, item: () => T): T[] {
    const out: T[] = [];
    let trailingComma = true;
    while (!(peek().text === closing && peek().type === "punct")) {
      if (!trailingComma) fail(peek(), `expected , or ${closing}`);
      out.push(item());
      trailingComma = peek().text === "," && peek().type === "punct";
      if (trailingComma) next();
    }
    const end = peek();
    if (out.length > 0 && !trailingComma && end.newlineBefore) fail(end, `${closing} on its own line needs a trailing comma after the last element`);
    next();
    return out;
  }

  function expression(): Expr {
    const token = next();
    switch (token.type) {
      case "string":
        return { kind: "string", value: token.value! };
      case "number":
        return { kind: "number", value: Number(token.text) };
      case "ident": {
        if (token.text === "true" || token.text === "false") return { kind: "bool", value: token.text === "true" };
        if (token.text === "null") return { kind: "null" };
        const path = [token.text];
        while (peek().text === "." && peek().type === "punct") {
          next();
          const part = next();
          if (part.type !== "ident") fail(part, "expected a name after .");
          path.push(part.text);
        }
        if (peek().text === "(" && peek().type === "punct") {
          next();
          return { kind: "call", path, args: items(")", expression) };
        }
        return { kind: "ref", path };
      }
      case "punct":
        if (token.text === "[") return { kind: "list", items: items("]", expression) };
        if (token.text === "{") {
          const fields: Record<string, Expr> = {};
          items("}", () => {
            const key = next();
            if (key.type !== "ident" && key.type !== "string") fail(key, "expected an object key");
            expect("=");
            fields[key.value ?? key.text] = expression();
          });
          return { kind: "object", fields };
        }
        return fail(token, "expected a value");
      default:
        return fail(token, "expected a value");
    }
  }

  const { attributes, blocks } = body(undefined);
  if (Object.keys(attributes).length > 0) throw new Error(`top-level attributes are not allowed: ${Object.keys(attributes).join(", ")}`);
  return blocks;
}

/** Every reference in an expression, as a dotted path. */
export function referencesIn(expr: Expr): string[][] {
  switch (expr.kind) {
    case "ref":
      return [expr.path];
    case "list":
      return expr.items.flatMap(referencesIn);
    case "object":
      return Object.values(expr.fields).flatMap(referencesIn);
    case "call":
      return expr.args.flatMap(referencesIn);
    default:
      return [];
  }
}
