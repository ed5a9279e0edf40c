import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PINS } from "../../config/versions";
import { DASHBOARD_UIDS, DATASOURCE_UIDS } from "../../queries/links";
import { renderDev } from "../support/render";
import { dashboardProblems, datasourceProblems, GRAFANA_REFERENCE, iniProblems, providerProblems } from "./support/grafana-reference";

/** grafana.ini as { section: { key: value } }. */
function ini(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current = "";
  for (const line of text.split("\n")) {
    const section = /^\[(.+)\]$/.exec(line.trim());
    if (section) sections[(current = section[1])] = {};
    const pair = /^([a-z_]+)\s*=\s*(.*)$/.exec(line.trim());
    if (pair) sections[current][pair[1]] = pair[2];
  }
  return sections;
}

describe("Grafana provisioning", () => {
  const files = renderDev();
  const datasources = parse(files["grafana/provisioning/datasources/voteobs.yaml"]).datasources as Array<Record<string, unknown>>;
  const providers = parse(files["grafana/provisioning/dashboards/voteobs.yaml"]).providers as Array<{ options: { path: string }; allowUiUpdates: boolean }>;
  const settings = ini(files["grafana/grafana.ini"]);

  it("provisions Prometheus, Loki and Alertmanager with the fixed uids links and dashboards use", () => {
    assert.deepEqual(
      datasources.map((d) => [d.type, d.uid]),
      [
        ["prometheus", DATASOURCE_UIDS.prometheus],
        ["loki", DATASOURCE_UIDS.loki],
        ["alertmanager", DATASOURCE_UIDS.alertmanager],
      ],
    );
    assert.equal(datasources.filter((d) => d.isDefault).length, 1);
    assert.ok(datasources.every((d) => d.editable === false));
  });

  it("the Overview is the home dashboard, from the folder the provider reads and the render fills", () => {
    const home = settings.dashboards.default_home_dashboard_path;
    assert.equal(home, `${providers[0].options.path}/${DASHBOARD_UIDS.overview}.json`);
    assert.ok(files[`grafana/dashboards/${DASHBOARD_UIDS.overview}.json`]);
    assert.equal(providers[0].allowUiUpdates, false, "edits in the UI would be lost at the next render");
  });

  it("anonymous viewers are off by default and on only when config says so", () => {
    assert.equal(settings["auth.anonymous"].enabled, "false");
    assert.equal(settings["auth.anonymous"].org_role, "Viewer");
    assert.equal(ini(renderDev({ grafana: { anonymousViewer: true } })["grafana/grafana.ini"])["auth.anonymous"].enabled, "true");
  });

  it("the admin password is read from the secret file, never written into the config", () => {
    assert.match(settings.security.admin_password, /^\$__file\{\/.+\/grafana-admin-password\}$/);
    assert.equal(settings.users.allow_sign_up, "false");
  });
});

/**
 * Grafana is AGPL: never built or run here, so what we provision is checked only statically, against
 * what the pinned release reads (support/grafana-reference.ts says where each list was read).
 */
describe("everything provisioned is something the pinned Grafana reads", () => {
  const files = renderDev();
  const yamlOf = (path: string) => parse(files[path]) as Record<string, unknown>;
  const dashboards = Object.entries(files).filter(([path]) => path.startsWith("grafana/dashboards/"));

  it("the lists were read at the pinned release", () => {
    assert.equal(GRAFANA_REFERENCE.release, PINS.grafana.release, "re-read the references at the new release and update support/grafana-reference.ts");
  });

  it("data sources: provisioning fields, jsonData keys per type and their allowed values", () => {
    assert.deepEqual(datasourceProblems(yamlOf("grafana/provisioning/datasources/voteobs.yaml")), []);
  });

  it("dashboard provider and grafana.ini: fields and sections/keys Grafana knows", () => {
    assert.deepEqual(providerProblems(yamlOf("grafana/provisioning/dashboards/voteobs.yaml")), []);
    assert.deepEqual(iniProblems(ini(files["grafana/grafana.ini"])), []);
  });

  it("dashboards: a schemaVersion Grafana knows and only keys its v1 dashboard schema has", () => {
    assert.ok(dashboards.length >= 5);
    for (const [path, text] of dashboards) assert.deepEqual(dashboardProblems(JSON.parse(text)), [], path);
  });

  it("the checks fail on what the pinned Grafana would not read", () => {
    const datasources = yamlOf("grafana/provisioning/datasources/voteobs.yaml") as { datasources: Array<Record<string, any>> };
    datasources.datasources[0].jsonData.timeinterval = "15s";
    datasources.datasources[0].isdefault = true;
    datasources.datasources[2].jsonData.implementation = "alertmanager";
    assert.deepEqual(datasourceProblems(datasources), [
      "datasource Prometheus: unknown key isdefault",
      "datasource Prometheus jsonData (prometheus): unknown key timeinterval",
      "datasource Alertmanager jsonData.implementation: alertmanager is not one of prometheus, mimir, cortex",
    ]);
    const providers = yamlOf("grafana/provisioning/dashboards/voteobs.yaml") as { providers: Array<Record<string, any>> };
    providers.providers[0].options.foldersFromFileStructure = true;
    assert.deepEqual(providerProblems(providers), ["provider voteobs options: unknown key foldersFromFileStructure"]);
    const settings = ini(files["grafana/grafana.ini"]);
    settings.security.angular_support_enabled = "false";
    settings.dashboards.default_home_dashboard = "/x.json";
    settings["feature_toggle"] = {};
    assert.deepEqual(iniProblems(settings), [
      "[security] angular_support_enabled: removed in Grafana 12 (AngularJS plugins no longer load)",
      "[dashboards] default_home_dashboard: unknown to Grafana 13.2.3",
      "[feature_toggle]: no key list for this section; add it from Grafana's conf/defaults.ini",
    ]);
    const dashboard = JSON.parse(dashboards[0][1]);
    dashboard.schemaVersion = 43;
    dashboard.panels.find((p: { type: string }) => p.type !== "row").gridpos = {};
    assert.deepEqual(
      dashboardProblems(dashboard).map((p) => p.replace(/ panel .*:/, " panel:")),
      [`${dashboard.uid}: schemaVersion 43 is newer than Grafana 13.2.3 knows (42)`, `${dashboard.uid} panel: unknown key gridpos`],
    );
  });
});
