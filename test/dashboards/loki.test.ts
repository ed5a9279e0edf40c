import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { dockerTopology, kubernetesTopology, renderAll } from "../../render";
import { renderLokiConfig } from "../../render/loki";
import { devConfig } from "../support/render";

/**
 * Loki's config cannot be loaded here (no binary), so these check its shape against the Loki 3.x
 * configuration reference: known top-level blocks only, and the values config asks for.
 */
const TOP_LEVEL = new Set(["target", "auth_enabled", "server", "common", "schema_config", "storage_config", "ingester", "limits_config", "compactor", "query_range", "querier", "frontend", "ruler", "analytics", "pattern_ingester", "memberlist", "table_manager"]);

const loki = (overlay: Record<string, unknown> = {}) => parse(renderLokiConfig(devConfig(overlay), dockerTopology()));

describe("Loki runs as one binary on its own disk", () => {
  const config = loki();

  it("has only blocks Loki 3 knows", () => {
    for (const key of Object.keys(config)) assert.ok(TOP_LEVEL.has(key), `unknown block ${key}`);
  });

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
