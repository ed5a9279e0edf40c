import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { DASHBOARD_UIDS, DATASOURCE_UIDS } from "../../queries/links";
import { renderDev } from "../support/render";

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
