import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stackSchema } from "../../config/schema";
import { PINS, TEST_PINS } from "../../config/versions";
import { TOOLS, toolPath, type ToolName } from "../../toolchain";
import { replaceAndExclude } from "../../toolchain/build";
import { checkGo, GoMissingError } from "../../toolchain/go";

/** The version a binary reports, from its own --version output (each upstream prints it its way). */
function reportedVersion(name: ToolName): string {
  const flag = name === "kubeconform" ? "-v" : name === "actionlint" ? "-version" : "--version";
  const result = spawnSync(toolPath(name), [flag], { encoding: "utf8", timeout: 10_000 });
  const text = `${result.stdout}\n${result.stderr}`;
  const match = /(?:version |Exporter |^v?)(\d+\.\d+\.\d+)/m.exec(text);
  assert.ok(match, `${name} ${flag} printed no version: ${text.slice(0, 300)}`);
  return match[1];
}

/** The module version a Go binary was built from (`go version -m`), which ties it to the table. */
function builtModule(name: ToolName): string {
  const result = spawnSync("go", ["version", "-m", toolPath(name)], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const tool = TOOLS.find((t) => t.name === name)!;
  const line = result.stdout.split("\n").find((l) => new RegExp(`^\\s+(mod|dep)\\s+${tool.go.module.replace(/[.]/g, "\\.")}\\s`).test(l));
  assert.ok(line, `${name} was not built from ${tool.go.module}:\n${result.stdout.slice(0, 500)}`);
  return line.trim().split(/\s+/)[2];
}

describe("the tests run exactly the versions the stacks deploy", () => {
  for (const tool of TOOLS) {
    const name = tool.name as ToolName;
    it(`${name}: the binary reports ${tool.release} and was built from ${tool.go.module}@${tool.go.version}`, () => {
      assert.equal(reportedVersion(name), tool.release);
      assert.equal(builtModule(name), tool.go.version);
    });
  }

  it("every deployed image is tagged with its pin's release, and the stack config defaults to it", () => {
    const images = stackSchema.parse({}).images;
    for (const [component, pin] of Object.entries(PINS)) {
      const tag = pin.image.slice(pin.image.lastIndexOf(":") + 1);
      assert.match(tag, new RegExp(`^v?${pin.release.replace(/\./g, "\\.")}(-[a-z0-9.]+)?$`), `${component}: ${pin.image} is not tagged ${pin.release}`);
      assert.equal(images[component as keyof typeof images], pin.image, component);
    }
  });

  it("a Prometheus module version v0.3MM.P is the release 3.MM.P it deploys", () => {
    const [, minor, patch] = /^v0\.3(\d\d)\.(\d+)$/.exec(PINS.prometheus.go.version) ?? [];
    assert.equal(`3.${Number(minor)}.${patch}`, PINS.prometheus.release);
    assert.match(PINS.prometheus.release, /^3\./, "Prometheus 3");
  });

  it("other modules are versioned as their releases", () => {
    for (const [name, pin] of [...Object.entries(PINS), ...Object.entries(TEST_PINS)]) {
      if (!("go" in pin) || name === "prometheus") continue;
      assert.equal(pin.go.version, `v${pin.release}`, name);
    }
  });

  it("reads replace and exclude directives in both go.mod forms", () => {
    const goMod = ["module m", "require x v1", "replace a => b v1.0.0", "exclude (", "  c v1.2.3 // broken", "  d v2.0.0", ")", "replace (", "\te v1 => f v2", ")"].join("\n");
    assert.deepEqual(replaceAndExclude(goMod), ["replace a => b v1.0.0", "exclude c v1.2.3", "exclude d v2.0.0", "replace e v1 => f v2"]);
  });
});

describe("npm run toolchain without a usable go", () => {
  const fakeGo = (version: string) => {
    const dir = mkdtempSync(join(tmpdir(), "voteobs-fake-go-"));
    writeFileSync(join(dir, "go"), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
    return dir;
  };

  it("fails with the install line when go is missing, and when it is older than 1.26", () => {
    assert.throws(() => checkGo({ PATH: "/nonexistent" }), (error: unknown) => error instanceof GoMissingError && /not available[\s\S]*install Go 1\.26 or later/.test(error.message));
    const old = fakeGo("go1.25.4");
    assert.throws(() => checkGo({ PATH: old }), (error: unknown) => error instanceof GoMissingError && /go1\.25\.4 is too old[\s\S]*go1\.26 or later/.test(error.message));
    assert.equal(checkGo({ PATH: fakeGo("go1.26.8") }), "go1.26.8");
  });

  it("the command exits 2 with that message, no stack trace", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "toolchain/main.ts"], { cwd: join(__dirname, "../.."), encoding: "utf8", env: { ...process.env, PATH: `${fakeGo("go1.24.1")}:/usr/bin:/bin` } });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /go1\.24\.1 is too old/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
