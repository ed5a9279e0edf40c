import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PORTS } from "../../render/topology/types";
import { loadVoteConfig } from "../../services/vote/src/config";

// No Docker engine here: these checks read services/Dockerfile for what the images must be, and run
// its SERVICE check with sh.
const SERVICES = join(__dirname, "..", "..", "services");
const NAMES = ["vote", "worker", "result"] as const;
const dockerfile = readFileSync(join(SERVICES, "Dockerfile"), "utf8");
const build = JSON.parse(readFileSync(join(SERVICES, "tsconfig.build.json"), "utf8")) as { compilerOptions: { outDir: string; rootDir: string } };

/** Instructions with their continuation lines joined, comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"));
}

/** The stages, each as its instructions, in order. */
const stages: string[][] = [];
for (const line of instructions(dockerfile)) {
  if (line.startsWith("FROM ")) stages.push([]);
  stages.at(-1)?.push(line);
}
const finalStage = stages.at(-1) ?? [];
const buildStage = stages.find((stage) => /^FROM \S+ AS build$/.test(stage[0])) ?? [];

/** Runs the Dockerfile's SERVICE check as `docker build` would, with SERVICE set (or not). */
function serviceCheck(service: string | undefined): { status: number | null; stderr: string } {
  const check = buildStage.find((line) => line.startsWith("RUN case"));
  assert.ok(check, "the build stage checks SERVICE in a RUN case");
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  if (service !== undefined) env.SERVICE = service;
  const run = spawnSync("sh", ["-c", check.slice("RUN ".length)], { env, encoding: "utf8" });
  return { status: run.status, stderr: run.stderr };
}

describe("services/Dockerfile", () => {
  test("is the only Dockerfile: one recipe for vote, worker and result", () => {
    for (const name of NAMES) {
      assert.ok(existsSync(join(SERVICES, name, "src", "main.ts")));
      assert.ok(!existsSync(join(SERVICES, name, "Dockerfile")), `services/${name}/Dockerfile is gone`);
    }
  });

  test("SERVICE must be vote, worker or result; anything else fails the build first, with a message naming it", () => {
    assert.ok(buildStage.includes("ARG SERVICE"));
    assert.ok(buildStage.findIndex((line) => line.startsWith("RUN case")) < buildStage.findIndex((line) => line.startsWith("RUN npm ci")), "checked before npm ci");
    for (const name of NAMES) assert.equal(serviceCheck(name).status, 0, name);
    for (const bad of [undefined, "", "votes", "../shared", "vote worker"]) {
      const { status, stderr } = serviceCheck(bad);
      assert.equal(status, 1, `SERVICE=${String(bad)}`);
      assert.match(stderr, /the build argument SERVICE must be vote, worker or result \(got "[^"]*"\)/);
    }
  });

  test("multi-stage, compiles shared/ and the chosen service, production dependencies only in the image", () => {
    assert.ok(stages.length >= 2 && stages.every((stage) => /^FROM node:20-alpine( AS \S+)?$/.test(stage[0])), "multi-stage on node:20-alpine");
    assert.ok(buildStage.includes("COPY shared/src ./shared/src"), "the shared code is copied (context is services/)");
    assert.ok(buildStage.includes("COPY ${SERVICE}/src ./${SERVICE}/src"));
    assert.ok(buildStage.includes("RUN npx tsc -p tsconfig.build.json"));
    assert.ok(instructions(dockerfile).some((line) => /^RUN npm ci --omit=dev/.test(line)));
    assert.ok(!finalStage.some((line) => /npm ci(?! --omit=dev)/.test(line)), "no dev dependencies in the image");
  });

  test("the image runs as node, listens where the topology expects, checks /healthz with node, drains on SIGTERM", () => {
    assert.ok(finalStage.includes("USER node"), "the image runs as the node user");
    assert.ok(finalStage.includes("ARG SERVICE"));
    const port = PORTS.vote;
    for (const name of NAMES) assert.equal(PORTS[name], port, `${name} listens on the same port in every image`);
    assert.ok(finalStage.includes(`ENV NODE_ENV=production PORT=${port} SHUTDOWN_DRAIN_MS=5000`));
    assert.ok(finalStage.includes(`EXPOSE ${port}`));
    assert.ok(finalStage.some((line) => /^HEALTHCHECK .*CMD \["node", "-e", ".*\/healthz/.test(line)));
    const drain = loadVoteConfig({ SHUTDOWN_DRAIN_MS: "5000" });
    assert.ok(drain.shutdownDrainMs < drain.shutdownTimeoutMs, "the image's drain fits the default shutdown deadline");
  });

  test("an exec-form CMD starts the compiled service in tsc's layout", () => {
    const cmd = finalStage.map((line) => /^CMD \["node", "([^"]+)"\]$/.exec(line)).find((match) => match !== null);
    assert.ok(cmd, "exec-form CMD, so SIGTERM reaches node");
    // tsc puts services/<service>/src/main.ts at dist/<service>/src/main.js and shared/ at dist/shared/;
    // the image keeps that layout with the service's folder named `service`.
    assert.equal(build.compilerOptions.rootDir, ".");
    const out = build.compilerOptions.outDir;
    assert.ok(finalStage.includes(`COPY --from=build /app/${out}/shared ./${out}/shared`));
    assert.ok(finalStage.includes(`COPY --from=build /app/${out}/\${SERVICE} ./${out}/service`));
    assert.equal(cmd[1], `${out}/service/src/main.js`);
    // Renaming the folder is safe only while no service reaches into another service's folder.
    for (const name of NAMES) {
      for (const file of readdirSync(join(SERVICES, name, "src"))) {
        const source = readFileSync(join(SERVICES, name, "src", file), "utf8");
        for (const [, path] of source.matchAll(/from "(\.\.\/[^"]+)"/g)) assert.match(path, /^\.\.\/\.\.\/shared\/src\//, `${name}/src/${file} imports ${path}`);
      }
    }
  });

  test(".dockerignore keeps node_modules and build output out of the context", () => {
    const ignore = readFileSync(join(SERVICES, ".dockerignore"), "utf8").split("\n");
    assert.ok(ignore.includes("**/node_modules"));
    assert.ok(ignore.includes("**/dist"));
    for (const copied of ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "shared", ...NAMES]) {
      assert.ok(!ignore.includes(copied), `${copied} is copied by the Dockerfile`);
    }
  });
});
