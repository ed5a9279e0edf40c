"use strict";
/**
 * The first step of `npm test` and `npm run local`, in plain JavaScript because nothing is installed
 * yet: runs `npm ci` when node_modules is missing or older than package-lock.json, so the steps after
 * it (TypeScript through tsx) can run. Everything else the commands need is set up by setup/main.ts.
 */
const { existsSync, statSync } = require("node:fs");
const { spawnSync } = require("node:child_process");
const { join } = require("node:path");

const root = join(__dirname, "..");
const installed = join(root, "node_modules", ".package-lock.json");
const lockfile = join(root, "package-lock.json");

if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lockfile).mtimeMs) {
  console.log("setup: npm dependencies ✓ (node_modules matches package-lock.json)");
} else {
  const began = Date.now();
  console.log(`setup: npm dependencies ${existsSync(installed) ? "older than package-lock.json" : "not installed"}: npm ci...`);
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`setup: npm ci failed${result.error ? ` (${result.error.message})` : ""}; fix the error above and run the command again`);
    process.exit(result.status ?? 1);
  }
  console.log(`setup: npm dependencies installed in ${((Date.now() - began) / 1000).toFixed(1)}s`);
}
