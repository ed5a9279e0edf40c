import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { OPERATIONAL_PATHS } from "../../services/shared/src/http-server";

const SERVICES = join(__dirname, "..", "..", "services");
const readme = readFileSync(join(SERVICES, "README.md"), "utf8");

/** Every environment variable the services' code reads (`readX(env, "NAME")` or `env["NAME"]`). */
function variablesReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const folder of ["shared", "vote", "worker", "result"]) {
    for (const file of readdirSync(join(SERVICES, folder, "src"))) {
      const source = readFileSync(join(SERVICES, folder, "src", file), "utf8");
      for (const [, name] of source.matchAll(/\benv(?:\[|, )"([A-Z][A-Z0-9_]*)"/g)) names.add(name);
    }
  }
  return names;
}

/** The variables named in the first column of the README's configuration table. */
function variablesInReadme(): Set<string> {
  const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1));
  const names = new Set<string>();
  for (const line of section.split("\n")) {
    if (!line.startsWith("| `")) continue;
    for (const [, name] of line.split("|")[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(name);
  }
  return names;
}

describe("services/README.md", () => {
  test("its configuration table documents exactly the variables the config code reads", () => {
    const read = variablesReadByCode();
    assert.ok(read.size > 20, "the code's variables were found");
    const documented = variablesInReadme();
    assert.deepEqual([...read].filter((name) => !documented.has(name)).sort(), [], "read but not documented");
    assert.deepEqual([...documented].filter((name) => !read.has(name)).sort(), [], "documented but not read");
  });

  test("it describes every operational endpoint, and no longer claims /healthz updates dependency_up", () => {
    for (const path of OPERATIONAL_PATHS) assert.ok(readme.includes(`\`GET ${path}\``), `${path} is described`);
    assert.doesNotMatch(readme, /Both also update `dependency_up`/);
  });
});
