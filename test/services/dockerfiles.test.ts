import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PORTS } from "../../render/topology/types";

// No Docker engine here: these checks read the Dockerfiles for what the images must be.
const SERVICES = join(__dirname, "..", "..", "services");
// Inside its container each service listens where the rendered configs scrape and probe it.
const IMAGE_PORTS = { vote: PORTS.vote, worker: PORTS.worker, result: PORTS.result } as const;
const build = JSON.parse(readFileSync(join(SERVICES, "tsconfig.build.json"), "utf8")) as { compilerOptions: { outDir: string; rootDir: string } };

describe("Dockerfiles", () => {
  for (const [service, port] of Object.entries(IMAGE_PORTS)) {
    test(`${service}: multi-stage, production dependencies only, non-root, node healthcheck on /healthz`, () => {
      const dockerfile = readFileSync(join(SERVICES, service, "Dockerfile"), "utf8");
      const stages = dockerfile.match(/^FROM node:20-alpine/gm) ?? [];
      assert.ok(stages.length >= 2, "multi-stage on node:20-alpine");
      assert.match(dockerfile, /RUN npm ci --omit=dev/);
      assert.match(dockerfile, /COPY shared\/src \.\/shared\/src/, "the shared code is copied (context is services/)");
      assert.match(dockerfile, new RegExp(`COPY ${service}/src \\./${service}/src`));
      assert.match(dockerfile, /RUN npx tsc -p tsconfig\.build\.json/);

      const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
      assert.match(finalStage, /^USER node$/m, "the image runs as the node user");
      assert.doesNotMatch(finalStage, /npm ci(?! --omit=dev)/, "no dev dependencies in the image");
      assert.match(finalStage, new RegExp(`ENV NODE_ENV=production PORT=${port}\n`));
      assert.match(finalStage, new RegExp(`^EXPOSE ${port}$`, "m"));
      assert.match(finalStage, /HEALTHCHECK .*\n?.*CMD \["node", "-e", ".*\/healthz/);

      const cmd = /^CMD \["node", "([^"]+)"\]$/m.exec(finalStage);
      assert.ok(cmd, "exec-form CMD, so SIGTERM reaches node");
      // dist/<service>/src/main.js is where tsc puts services/<service>/src/main.ts.
      assert.equal(cmd[1], `${build.compilerOptions.outDir}/${service}/src/main.js`);
      assert.equal(build.compilerOptions.rootDir, ".");
      assert.ok(existsSync(join(SERVICES, service, "src", "main.ts")));
    });
  }

  test(".dockerignore keeps node_modules and build output out of the context", () => {
    const ignore = readFileSync(join(SERVICES, ".dockerignore"), "utf8").split("\n");
    assert.ok(ignore.includes("**/node_modules"));
    assert.ok(ignore.includes("**/dist"));
  });
});
