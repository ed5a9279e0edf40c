import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { dockerTopology, kubernetesTopology, renderAll } from "../../render";
import { renderLokiConfig } from "../../render/loki";
import { PINS } from "../../config/versions";
import { devConfig } from "../support/render";
import { LOKI_REFERENCE, lokiConfigProblems } from "./support/loki-reference";

/**
 * Loki is AGPL: it is never built or run here, so its config is checked only statically, against
 * the configuration reference of the pinned release (support/loki-reference.ts says where each list
 * was read), and for the values config asks for.
 */
const loki = (overlay: Record<string, unknown> = {}) => parse(renderLokiConfig(devConfig(overlay), dockerTopology()));

describe("the Loki config is one the pinned Loki accepts", () => {
  it("the key lists were read at the pinned release", () => {
    assert.equal(LOKI_REFERENCE.release, PINS.loki.release, "re-read the reference at the new tag and update support/loki-reference.ts");
  });

  for (const [target, text] of [
    ["docker", renderLokiConfig(devConfig(), dockerTopology())],
    ["kubernetes", renderLokiConfig(devConfig(), kubernetesTopology("voteobs", 3))],
  ] as const) {
    it(`${target}: every key at every level is one Loki ${LOKI_REFERENCE.release} knows, and its schema stores structured metadata`, () => {
      assert.deepEqual(lokiConfigProblems(parse(text)), []);
    });
  }

  it("fails on what Loki would refuse or silently ignore", () => {
    const broken = (edit: (c: Record<string, any>) => void) => {
      const c = loki();
      edit(c);
      return lokiConfigProblems(c);
    };
    assert.deepEqual(broken((c) => (c.server.http_listen_prot = 3100)), ["server.http_listen_prot: unknown to Loki 3.7.6"]);
    assert.deepEqual(broken((c) => (c.compactor.shared_store = "filesystem")), ["compactor.shared_store: removed in Loki 3.0: set compactor.delete_request_store instead"]);
    assert.deepEqual(broken((c) => (c.storage_config = { boltdb_shipper: { shared_store: "filesystem" } })), ["storage_config.boltdb_shipper: no key list for this block; add it from docs/sources/shared/configuration.md at v3.7.6"]);
    assert.deepEqual(broken((c) => (c.storage_config = { tsdb_shipper: { shared_store: "filesystem" } })), ["storage_config.tsdb_shipper.shared_store: removed in Loki 3.0: the shipper uses the object_store of the period config"]);
    assert.deepEqual(broken((c) => (c.ingester.max_transfer_retries = 0)), ["ingester.max_transfer_retries: removed in Loki 3.0: enable ingester.wal instead"]);
    assert.deepEqual(broken((c) => (c.limits_config.enforce_metric_name = false)), ["limits_config.enforce_metric_name: removed in Loki 3.0"]);
    assert.deepEqual(broken((c) => (c.schema_config.configs[0].index = { prefix: "index_", perod: "24h" })), ["schema_config.configs[].index.perod: unknown to Loki 3.7.6", "schema_config: the tsdb index period must be 24h, not undefined"]);
    assert.deepEqual(broken((c) => Object.assign(c.schema_config.configs[0], { store: "boltdb-shipper", schema: "v12" })), [
      "schema_config: the active period uses store boltdb-shipper; Loki 3 needs tsdb (boltdb-shipper is deprecated and has no structured metadata)",
      "schema_config: the active period uses schema v12; structured metadata needs v13",
    ]);
    assert.deepEqual(broken((c) => delete c.compactor.delete_request_store), ["compactor: retention_enabled needs delete_request_store (Loki 3 refuses to start without it)"]);
  });
});

describe("Loki runs as one binary on its own disk", () => {
  const config = loki();

  it("is a single binary with an in-memory ring, storing chunks and its TSDB index on the filesystem", () => {
    assert.equal(config.target, "all");
    assert.equal(config.auth_enabled, false);
    assert.deepEqual(config.common.ring, { kvstore: { store: "inmemory" } });
    assert.equal(config.common.replication_factor, 1);
    assert.equal(config.common.path_prefix, "/loki");
    assert.equal(config.storage_config.filesystem.directory, "/loki/chunks");
    assert.deepEqual(config.schema_config.configs, [{ from: "2024-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } }]);
    assert.equal(config.server.http_listen_port, 3100);
  });

  it("runs no ruler: no rule store is configured (common.storage would configure one whose tenant folder a fresh volume lacks)", () => {
    assert.equal(config.ruler, undefined);
    assert.equal(config.common.storage, undefined);
    assert.doesNotMatch(renderLokiConfig(devConfig(), dockerTopology()), /rules_directory|ruler/);
  });

  it("keeps a write-ahead log on the data volume", () => {
    assert.equal(config.ingester.wal.enabled, true);
    assert.equal(config.ingester.wal.dir, "/loki/wal");
  });

  it("deletes logs older than the configured retention through the compactor", () => {
    assert.equal(config.limits_config.retention_period, "168h");
    assert.equal(config.compactor.retention_enabled, true);
    assert.equal(config.compactor.delete_request_store, "filesystem", "Loki 3 refuses retention without a delete-request store");
    assert.equal(config.limits_config.allow_structured_metadata, true, "Alloy sends the pod as structured metadata on Kubernetes");
  });

  it("takes retention and ingestion limits from config", () => {
    assert.deepEqual([config.limits_config.ingestion_rate_mb, config.limits_config.ingestion_burst_size_mb], [4, 8]);
    const changed = loki({ loki: { retention: "336h", ingestionRateMb: 8, ingestionBurstMb: 16 } });
    assert.deepEqual(
      [changed.limits_config.retention_period, changed.limits_config.reject_old_samples_max_age, changed.limits_config.max_query_lookback, changed.limits_config.ingestion_rate_mb, changed.limits_config.ingestion_burst_size_mb],
      ["336h", "336h", "336h", 8, 16],
    );
  });

  it("is the same on Docker and Kubernetes (it only differs in where others reach it)", () => {
    const c = devConfig();
    assert.equal(renderAll(c, dockerTopology())["loki/loki.yaml"], renderAll(c, kubernetesTopology("voteobs", 3))["loki/loki.yaml"]);
  });
});
