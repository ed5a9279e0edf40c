import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { writePrometheusStoreSecrets } from "../../local/secrets";
import { localTopology, LOCAL_COMPONENTS, type LocalPorts } from "../../local/topology";
import { renderAll } from "../../render";
import { tempDir } from "../support/exec";
import { devConfig } from "../support/render";

/** The local target places the remote-write secret files prometheus.yml names, as the stacks do (issue 14). */
describe("the local target's remote-write secret files", () => {
  const dir = tempDir("local-store-secrets");
  after(dir.cleanup);
  const ports = Object.fromEntries(LOCAL_COMPONENTS.map((c, i) => [c, 20000 + i])) as LocalPorts;

  it("copies each { file } reference, trimmed, to the path prometheus.yml names, readable by its owner alone", () => {
    const state = join(dir.path, "copy");
    const tokenFile = join(dir.path, "vm-token");
    writeFileSync(tokenFile, "token-from-a-file\n");
    const config = devConfig({ prometheus: { remoteWrite: [{ name: "vm", kind: "victoriametrics", url: "https://vm.example.com/api/v1/write", auth: { type: "bearer", token: { file: tokenFile } } }] } });
    const topology = localTopology(ports, state);
    const named = parse(renderAll(config, topology)["prometheus/prometheus.yml"]).remote_write[0].authorization.credentials_file as string;
    assert.deepEqual(writePrometheusStoreSecrets(topology.paths.prometheusSecrets, config), [named]);
    assert.equal(readFileSync(named, "utf8"), "token-from-a-file");
    assert.equal(statSync(named).mode & 0o777, 0o600);
  });

  it("keeps a file already placed for a { secret } reference or an unreadable file, and names the path to write when there is none", () => {
    const state = join(dir.path, "given");
    const config = devConfig({
      prometheus: {
        remoteWrite: [
          { name: "mimir", kind: "mimir", url: "https://mimir.example.com/api/v1/push", auth: { type: "basic", username: "voteobs", password: { secret: "mimirPassword" } }, headers: { "X-Scope-OrgID": "voting" } },
          { name: "vm", url: "https://vm.example.com/api/v1/write", auth: { type: "bearer", token: { file: join(dir.path, "missing") } } },
        ],
      },
    });
    const secrets = localTopology(ports, state).paths.prometheusSecrets;
    assert.throws(
      () => writePrometheusStoreSecrets(secrets, config),
      (error: Error) =>
        error.message.includes(`prometheus.remoteWrite[0].auth.password: the local target cannot read Pulumi secrets ({ secret: mimirPassword }); write the value to ${join(secrets, "mimir-remote-write-password")}`) &&
        error.message.includes(`prometheus.remoteWrite[1].auth.token: cannot read secret file ${join(dir.path, "missing")} (ENOENT); write the value to ${join(secrets, "vm-remote-write-token")}`),
    );
    writePrometheusStoreSecrets(join(dir.path, "unused"), devConfig({}));
    assert.equal(existsSync(join(dir.path, "unused")), false, "no remote write, no folder");
    // Placed by hand (or by a test) before the start.
    mkdirSync(secrets, { recursive: true });
    for (const file of ["mimir-remote-write-password", "vm-remote-write-token"]) writeFileSync(join(secrets, file), `${file}-by-hand`);
    assert.deepEqual(writePrometheusStoreSecrets(secrets, config), []);
    assert.equal(readFileSync(join(secrets, "mimir-remote-write-password"), "utf8"), "mimir-remote-write-password-by-hand");
  });
});
