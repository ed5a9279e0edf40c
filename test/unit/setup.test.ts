import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, it } from "node:test";
import { ensurePackages, installCommand, missingPackages } from "../../setup/debian";
import { tempDir } from "../support/exec";

const ROOT = resolve(__dirname, "../..");

/** An executable shell script. */
function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

describe("setup/node-modules.js: npm ci only when node_modules is missing or older than the lockfile", () => {
  const run = (dir: string) => spawnSync(process.execPath, [join(dir, "setup", "node-modules.js")], { encoding: "utf8", env: { PATH: `${join(dir, "bin")}:/usr/bin:/bin` } });
  const project = () => {
    const dir = tempDir("setup-npm");
    mkdirSync(join(dir.path, "setup"));
    mkdirSync(join(dir.path, "bin"));
    copyFileSync(join(ROOT, "setup", "node-modules.js"), join(dir.path, "setup", "node-modules.js"));
    writeFileSync(join(dir.path, "package-lock.json"), "{}");
    // A stand-in npm that records its arguments and installs as npm ci would.
    script(join(dir.path, "bin", "npm"), `echo "$@" >> "${dir.path}/npm-calls"; mkdir -p node_modules; echo {} > node_modules/.package-lock.json`);
    return dir;
  };

  it("installs on a fresh clone, then leaves an up-to-date node_modules alone", () => {
    const dir = project();
    try {
      const first = run(dir.path);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /not installed: npm ci/);
      assert.equal(readFileSync(join(dir.path, "npm-calls"), "utf8"), "ci --no-audit --no-fund\n");
      const second = run(dir.path);
      assert.match(second.stdout, /npm dependencies ✓/);
      assert.equal(readFileSync(join(dir.path, "npm-calls"), "utf8").split("\n").length, 2, "no second npm ci");
    } finally {
      dir.cleanup();
    }
  });

  it("reinstalls when package-lock.json is newer than the installed tree", () => {
    const dir = project();
    try {
      run(dir.path);
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(dir.path, "package-lock.json"), later, later);
      const again = run(dir.path);
      assert.match(again.stdout, /older than package-lock.json: npm ci/);
      assert.equal(readFileSync(join(dir.path, "npm-calls"), "utf8").trim().split("\n").length, 2);
    } finally {
      dir.cleanup();
    }
  });
});

describe("setup/debian.ts: the missing Debian packages, through sudo only when not root", () => {
  const saved = { path: process.env.PATH, pg: process.env.PG_BIN_DIR, getuid: process.getuid };
  afterEach(() => {
    process.env.PATH = saved.path;
    process.env.PG_BIN_DIR = saved.pg;
    if (saved.pg === undefined) delete process.env.PG_BIN_DIR;
    process.getuid = saved.getuid;
  });

  /** A machine with sh but no Redis or PostgreSQL, whose apt-get "installs" them and logs how it was called. */
  function machine(withSudo: boolean) {
    const dir = tempDir("setup-apt");
    const bin = join(dir.path, "bin");
    mkdirSync(bin);
    const pg = join(dir.path, "pg");
    script(join(bin, "apt-get"), `echo "apt-get $@ uid=$(id -u) via=$VIA" >> "${dir.path}/calls"; if [ "$1" = install ]; then printf '#!/bin/sh\\n' > "${bin}/redis-server"; chmod +x "${bin}/redis-server"; mkdir -p "${pg}"; printf '#!/bin/sh\\n' > "${pg}/postgres"; chmod +x "${pg}/postgres"; fi`);
    if (withSudo) script(join(bin, "sudo"), `shift; VIA=sudo exec "$@"`);
    // Only these programs: the real Redis and PostgreSQL of this machine must not be found.
    for (const tool of ["sh", "mkdir", "chmod", "id"]) symlinkSync(`/bin/${tool}`, join(bin, tool));
    process.env.PATH = bin;
    process.env.PG_BIN_DIR = pg;
    return { dir, calls: () => readFileSync(join(dir.path, "calls"), "utf8") };
  }

  it("as root: apt-get update, then install of exactly the missing packages, without sudo", { skip: !existsSync("/etc/debian_version") }, () => {
    const m = machine(false);
    try {
      process.getuid = () => 0;
      assert.deepEqual(missingPackages("local"), ["redis-server", "postgresql"]);
      ensurePackages("local", () => undefined);
      assert.match(m.calls(), /^apt-get update -qq uid=\d+ via=\napt-get install -y -qq --no-install-recommends redis-server postgresql uid=\d+ via=\n$/);
      assert.deepEqual(missingPackages("local"), []);
    } finally {
      m.dir.cleanup();
    }
  });

  it("as another user: the same through sudo, and the printed line says sudo", { skip: !existsSync("/etc/debian_version") }, () => {
    const m = machine(true);
    try {
      process.getuid = () => 1000;
      assert.match(installCommand(["redis-server"]), /^sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server$/);
      ensurePackages("local", () => undefined);
      assert.match(m.calls(), /^apt-get update -qq uid=\d+ via=sudo\napt-get install .* via=sudo\n$/);
    } finally {
      m.dir.cleanup();
    }
  });

  it("nothing to install: no apt-get at all", () => {
    const m = machine(false);
    try {
      process.getuid = () => 0;
      ensurePackages("local", () => undefined);
      ensurePackages("local", () => undefined);
      assert.equal(m.calls().match(/^apt-get install/gm)?.length, 1, "installed once, then found present");
    } finally {
      m.dir.cleanup();
    }
  });
});
