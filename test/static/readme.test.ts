import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { versionTable } from "./readme-versions";

const README = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
const BEGIN = "<!-- versions:begin (checked by test/static/readme.test.ts against config/versions.ts) -->";
const END = "<!-- versions:end -->";

describe("the README's version table is config/versions.ts", () => {
  it("its rows are exactly the pinned components, images, builds and releases", () => {
    const start = README.indexOf(BEGIN);
    const end = README.indexOf(END);
    assert.ok(start >= 0 && end > start, `README.md has no ${BEGIN} … ${END} block`);
    const table = README.slice(start + BEGIN.length, end).trim();
    assert.equal(table, versionTable(), `README.md's table differs from config/versions.ts; paste this between the markers:\n${versionTable()}`);
  });

  it("the check fails when a row drifts", () => {
    const drifted = versionTable().replace(/prom\/prometheus:v[\d.]+/, "prom/prometheus:v2.55.1");
    assert.notEqual(drifted, versionTable());
  });
});
