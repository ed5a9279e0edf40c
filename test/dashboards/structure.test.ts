import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { DASHBOARD_UIDS } from "../../queries/links";
import { ROOT, devConfig, renderDev } from "../support/render";
import { allPanels, contentPanels, dashboardsOf, variablesOf } from "./support/grafana";

const dashboards = dashboardsOf();
const uids = new Set(dashboards.map((d) => d.uid));

/** Every dashboard link URL of a dashboard: panel data links, table column links. */
function dataLinkUrls(json: unknown): string[] {
  const urls: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      if (typeof record.url === "string") urls.push(record.url);
      Object.values(record).forEach(walk);
    }
  };
  walk(json);
  return urls;
}

describe("dashboards have stable identities", () => {
  it("one dashboard per uid of queries/links.ts, Overview first, uids as listed there", () => {
    assert.deepEqual(
      dashboards.map((d) => d.uid),
      ["voteobs-overview", "voteobs-user-experience", "voteobs-internal-health", "voteobs-infrastructure", "voteobs-logs"],
    );
    assert.deepEqual([...uids].sort(), Object.values(DASHBOARD_UIDS).sort());
  });

  it("panel ids are unique within each dashboard, and every panel has one", () => {
    for (const { uid, json } of dashboards) {
      const ids = allPanels(json).map((p) => p.id);
      assert.ok(ids.every((id) => Number.isInteger(id) && id! > 0), `${uid}: ${ids}`);
      assert.equal(new Set(ids).size, ids.length, `${uid} repeats a panel id: ${ids}`);
    }
  });

  it("the same config builds the same bytes, and generated/dev holds exactly that", () => {
    const again = dashboardsOf(structuredClone(devConfig()));
    assert.deepEqual(JSON.stringify(again), JSON.stringify(dashboards));
    const rendered = renderDev();
    for (const { uid } of dashboards) {
      const path = `grafana/dashboards/${uid}.json`;
      assert.equal(readFileSync(join(ROOT, "generated/dev", path), "utf8"), rendered[path], `${path} is stale: run npm run render`);
    }
  });

  it("every panel sits inside the 24-column grid", () => {
    for (const { uid, json } of dashboards) {
      for (const panel of allPanels(json)) {
        const { x, y, w, h } = panel.gridPos!;
        assert.ok(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, `${uid} / ${panel.title}: ${JSON.stringify(panel.gridPos)}`);
      }
    }
  });
});

describe("dashboards only use what the provisioning provides", () => {
  const files = renderDev();
  const provisioned = new Map<string, string>((parse(files["grafana/provisioning/datasources/voteobs.yaml"]).datasources as Array<{ uid: string; type: string }>).map((d) => [d.uid, d.type]));

  it("every panel and query names a provisioned datasource by uid, of the right type", () => {
    for (const { uid, json } of dashboards) {
      for (const panel of contentPanels(json)) {
        const refs = [panel.datasource, ...(panel.targets ?? []).map((t) => (t as { datasource?: { type?: string; uid?: string } }).datasource)];
        for (const ref of refs) {
          assert.ok(ref?.uid, `${uid} / ${panel.title} has a query without a datasource uid`);
          assert.equal(provisioned.get(ref.uid), ref.type, `${uid} / ${panel.title}: ${JSON.stringify(ref)} is not provisioned`);
        }
      }
    }
  });

  it("annotations use a provisioned datasource or Grafana's own", () => {
    for (const { uid, json } of dashboards) {
      const list = json.annotations.list ?? [];
      assert.ok(list.some((a) => a.builtIn === 1), `${uid} lacks Grafana's built-in annotations`);
      for (const a of list.filter((a) => a.builtIn !== 1)) assert.equal(provisioned.get(a.datasource?.uid ?? ""), a.datasource?.type, `${uid} / ${a.name}`);
    }
  });

  it("panel types are ones Grafana ships (built with the foundation SDK's panel builders)", () => {
    const core = new Set(["row", "stat", "timeseries", "table", "logs", "heatmap", "state-timeline"]);
    for (const { uid, json } of dashboards) for (const panel of allPanels(json)) assert.ok(core.has(panel.type), `${uid} / ${panel.title}: ${panel.type}`);
  });
});

describe("dashboards lead to each other", () => {
  it("every dashboard links to all voteobs dashboards, keeping the time range and the service", () => {
    for (const { uid, json } of dashboards) {
      assert.ok(json.tags?.includes("voteobs"), uid);
      const link = json.links?.find((l) => l.type === "dashboards");
      assert.ok(link, `${uid} has no dashboard links`);
      assert.deepEqual([link.tags, link.keepTime, link.includeVars], [["voteobs"], true, true], uid);
    }
  });

  it("every data link opens an existing dashboard with a service and the time range on screen", () => {
    let links = 0;
    for (const { uid, json } of dashboards) {
      for (const url of dataLinkUrls(json.panels)) {
        links++;
        const match = /^\/d\/([a-z0-9-]+)\?var-service=([^&]+)&\$\{__url_time_range\}$/.exec(url);
        assert.ok(match, `${uid}: ${url}`);
        assert.ok(uids.has(match[1]), `${uid} links to missing dashboard ${match[1]}`);
      }
    }
    assert.ok(links >= 20, `only ${links} data links`);
  });

  it("every dashboard has the service variable, so ?var-service=<name> preselects it", () => {
    for (const { uid, json } of dashboards) {
      const service = variablesOf(json).find((v) => v.name === "service");
      assert.ok(service, `${uid} has no service variable`);
      assert.ok(String(service.query).split(",").length >= 3, `${uid}: ${service.query}`);
    }
  });

  it("every description says the dashboard is generated", () => {
    for (const { uid, json } of dashboards) assert.match(json.description ?? "", /DO NOT EDIT: generated by voteobs/, uid);
  });
});
