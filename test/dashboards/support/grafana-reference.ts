/**
 * What Grafana 13.2.3 reads from the files we provision, for a static check: Grafana is AGPL and
 * never built or run here. Key names only, each list with where it was read:
 * - DASHBOARD_*: @grafana/schema 13.2.3 (Apache-2.0, published with each Grafana release),
 *   dist/types/raw/dashboard/x/types.gen.d.ts (the v1 dashboard kind: Dashboard, Panel, RowPanel,
 *   AnnotationQuery, VariableModel, ...) and the schemaVersion of its defaultDashboard
 *   (dist/esm/raw/dashboard/x/types.gen.mjs). Grafana 13 still loads v1 dashboards from files and
 *   migrates them; it knows no schemaVersion above its own.
 * - JSON_DATA: @grafana/data 13.2.3 DataSourceJsonData (every type), the HTTP settings the
 *   provisioning reference lists for every HTTP data source, and @grafana/prometheus 13.2.3
 *   PromOptions (types.d.ts); Loki's and Alertmanager's options from the Grafana docs of those data
 *   sources (grafana.com/docs/grafana/v13.0/datasources/alertmanager, .../v12.3/datasources/loki).
 * - INI: conf/defaults.ini of github.com/grafana/grafana as the search index stores it (commit
 *   002060fd; the repository is too large to fetch here at a tag), for the sections we write.
 * - PROVISIONING: the provisioning reference (grafana.com/docs/grafana/v12.0/administration/provisioning).
 * When the pin moves, re-read these at the new release.
 */
export const GRAFANA_REFERENCE = { release: "13.2.3" } as const;

/** The newest dashboard schemaVersion Grafana 13.2.3 knows (and migrates older ones up to). */
export const DASHBOARD_SCHEMA_VERSION = 42;

export const DASHBOARD_KEYS: Record<string, readonly string[]> = {
  dashboard: ["annotations", "description", "editable", "fiscalYearStartMonth", "gnetId", "graphTooltip", "id", "links", "liveNow", "panels", "preload", "refresh", "revision", "schemaVersion", "snapshot", "tags", "templating", "time", "timepicker", "timezone", "title", "uid", "version", "weekStart"],
  panel: ["autoMigrateFrom", "cacheTimeout", "datasource", "description", "fieldConfig", "gridPos", "hideTimeOverride", "id", "interval", "libraryPanel", "links", "maxDataPoints", "maxPerRow", "options", "pluginVersion", "queryCachingTTL", "repeat", "repeatDirection", "targets", "timeCompare", "timeFrom", "timeShift", "title", "transformations", "transparent", "type"],
  row: ["collapsed", "datasource", "gridPos", "id", "panels", "repeat", "title", "type"],
  /** AnnotationQuery, plus the Prometheus annotation's own options (@grafana/prometheus annotations.mjs: expr and step are legacy, migrated into target). */
  annotation: ["builtIn", "datasource", "enable", "filter", "hide", "iconColor", "name", "placement", "target", "type", "expr", "step", "titleFormat", "tagKeys", "textFormat", "useValueForTime"],
  /** VariableModel, plus the interval variable's auto options (@grafana/data IntervalVariableModel) that the SDK writes on every variable and Grafana ignores on other types. */
  variable: ["allValue", "allowCustomValue", "current", "datasource", "description", "enableGroupBy", "hide", "includeAll", "label", "multi", "name", "options", "query", "refresh", "regex", "regexApplyTo", "skipUrlSync", "sort", "staticOptions", "staticOptionsOrder", "type", "valuesFormat", "auto", "auto_min", "auto_count"],
  gridPos: ["h", "static", "w", "x", "y"],
  fieldConfig: ["defaults", "overrides"],
  fieldDefaults: ["actions", "color", "custom", "decimals", "description", "displayName", "displayNameFromDS", "filterable", "links", "mappings", "max", "min", "noValue", "path", "thresholds", "unit", "writeable"],
  link: ["asDropdown", "icon", "includeVars", "keepTime", "origin", "placement", "tags", "targetBlank", "title", "tooltip", "type", "url"],
};

const COMMON_JSON_DATA = ["authType", "defaultRegion", "profile", "manageAlerts", "allowAsRecordingRulesTarget", "alertmanagerUid", "disableGrafanaCache", "timeout", "keepCookies", "tlsAuth", "tlsAuthWithCACert", "tlsSkipVerify", "oauthPassThru"];
export const JSON_DATA: Record<string, readonly string[]> = {
  prometheus: [...COMMON_JSON_DATA, "timeInterval", "queryTimeout", "httpMethod", "customQueryParameters", "disableMetricsLookup", "exemplarTraceIdDestinations", "prometheusType", "prometheusVersion", "cacheLevel", "defaultEditor", "incrementalQuerying", "incrementalQueryOverlapWindow", "disableRecordingRules", "seriesEndpoint", "enableSearchApi", "seriesLimit", "maxSamplesProcessedWarningThreshold", "maxSamplesProcessedErrorThreshold", "queryStatsEnabled"],
  loki: [...COMMON_JSON_DATA, "maxLines", "derivedFields", "predefinedOperations"],
  alertmanager: [...COMMON_JSON_DATA, "implementation", "handleGrafanaManagedAlerts"],
};
/** Values Grafana accepts for the options that are enumerations. */
export const JSON_DATA_VALUES: Record<string, Record<string, readonly string[]>> = {
  prometheus: { prometheusType: ["Prometheus", "Cortex", "Mimir", "Thanos"], httpMethod: ["GET", "POST"] },
  alertmanager: { implementation: ["prometheus", "mimir", "cortex"] },
};

export const PROVISIONING = {
  datasourcesFile: ["apiVersion", "datasources", "deleteDatasources", "prune"],
  datasource: ["name", "type", "access", "orgId", "uid", "url", "user", "database", "basicAuth", "basicAuthUser", "withCredentials", "isDefault", "jsonData", "secureJsonData", "version", "editable"],
  dashboardsFile: ["apiVersion", "providers"],
  provider: ["name", "orgId", "folder", "folderUid", "type", "disableDeletion", "updateIntervalSeconds", "allowUiUpdates", "options"],
  providerOptions: ["path", "foldersFromFilesStructure"],
} as const;

/** grafana.ini: the sections we write and every key Grafana's defaults.ini has in them. */
export const INI: Record<string, readonly string[]> = {
  server: ["protocol", "http_addr", "http_port", "domain", "enforce_domain", "root_url", "serve_from_sub_path", "router_logging", "static_root_path", "enable_gzip", "cert_file", "cert_key", "socket", "cdn_url", "read_timeout"],
  security: ["disable_initial_admin_creation", "admin_user", "admin_password", "admin_email", "secret_key", "encryption_provider", "available_encryption_providers", "disable_gravatar", "data_source_proxy_whitelist", "disable_brute_force_login_protection", "cookie_secure", "cookie_samesite", "allow_embedding", "strict_transport_security", "strict_transport_security_max_age_seconds", "strict_transport_security_preload", "strict_transport_security_subdomains", "x_content_type_options", "x_xss_protection", "content_security_policy", "content_security_policy_template"],
  "auth.anonymous": ["enabled", "org_name", "org_role", "hide_version"],
  users: ["allow_sign_up", "allow_org_create", "auto_assign_org", "auto_assign_org_id", "auto_assign_org_role", "verify_email_enabled", "login_hint", "password_hint", "default_theme", "default_locale", "home_page", "external_manage_link_url", "external_manage_link_name", "external_manage_info", "viewers_can_edit", "editors_can_admin", "user_invite_max_lifetime_duration", "hidden_users"],
  dashboards: ["versions_to_keep", "min_refresh_interval", "default_home_dashboard_path"],
  analytics: ["reporting_enabled", "reporting_distributor", "check_for_updates", "check_for_plugin_updates", "google_analytics_ua_id", "google_analytics_4_id", "google_tag_manager_id", "rudderstack_write_key", "rudderstack_data_plane_url", "rudderstack_sdk_url", "rudderstack_config_url", "application_insights_connection_string", "application_insights_endpoint_url", "feedback_links_enabled"],
  log: ["mode", "level", "filters"],
};
/** Settings Grafana 12 removed with AngularJS support: setting them changes nothing. */
export const INI_REMOVED: Record<string, string> = {
  "security.angular_support_enabled": "removed in Grafana 12 (AngularJS plugins no longer load)",
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const unknownKeys = (object: unknown, known: readonly string[], where: string): string[] =>
  isObject(object) ? Object.keys(object).filter((k) => !known.includes(k)).map((k) => `${where}: unknown key ${k}`) : [];

/** Problems Grafana 13.2.3 would have with a dashboard JSON: a newer schemaVersion, keys it does not read. */
export function dashboardProblems(dashboard: Record<string, unknown>): string[] {
  const uid = String(dashboard.uid);
  const problems = unknownKeys(dashboard, DASHBOARD_KEYS.dashboard, uid);
  const version = dashboard.schemaVersion;
  if (typeof version !== "number" || version > DASHBOARD_SCHEMA_VERSION) problems.push(`${uid}: schemaVersion ${String(version)} is newer than Grafana ${GRAFANA_REFERENCE.release} knows (${DASHBOARD_SCHEMA_VERSION})`);
  for (const a of (dashboard.annotations as { list?: unknown[] } | undefined)?.list ?? []) problems.push(...unknownKeys(a, DASHBOARD_KEYS.annotation, `${uid} annotation`));
  for (const v of (dashboard.templating as { list?: unknown[] } | undefined)?.list ?? []) problems.push(...unknownKeys(v, DASHBOARD_KEYS.variable, `${uid} variable`));
  for (const l of (dashboard.links as unknown[] | undefined) ?? []) problems.push(...unknownKeys(l, DASHBOARD_KEYS.link, `${uid} link`));
  const panels = (list: unknown[] | undefined) => {
    for (const p of list ?? []) {
      if (!isObject(p)) continue;
      const where = `${uid} panel ${String(p.title)}`;
      if (p.type === "row") {
        problems.push(...unknownKeys(p, DASHBOARD_KEYS.row, where));
        panels(p.panels as unknown[] | undefined);
        continue;
      }
      problems.push(...unknownKeys(p, DASHBOARD_KEYS.panel, where), ...unknownKeys(p.gridPos, DASHBOARD_KEYS.gridPos, `${where} gridPos`));
      problems.push(...unknownKeys(p.fieldConfig, DASHBOARD_KEYS.fieldConfig, `${where} fieldConfig`));
      problems.push(...unknownKeys((p.fieldConfig as { defaults?: unknown } | undefined)?.defaults, DASHBOARD_KEYS.fieldDefaults, `${where} fieldConfig.defaults`));
    }
  };
  panels(dashboard.panels as unknown[] | undefined);
  return problems;
}

/** Problems Grafana 13.2.3 would have with a datasource provisioning file. */
export function datasourceProblems(file: Record<string, unknown>): string[] {
  const problems = unknownKeys(file, PROVISIONING.datasourcesFile, "datasources file");
  if (file.apiVersion !== 1) problems.push(`datasources file: apiVersion ${String(file.apiVersion)}, Grafana reads 1`);
  for (const d of (file.datasources as Array<Record<string, unknown>> | undefined) ?? []) {
    const where = `datasource ${String(d.name)}`;
    problems.push(...unknownKeys(d, PROVISIONING.datasource, where));
    const type = String(d.type);
    const known = JSON_DATA[type];
    if (known === undefined) {
      problems.push(`${where}: no jsonData list for type ${type}`);
      continue;
    }
    problems.push(...unknownKeys(d.jsonData, known, `${where} jsonData (${type})`));
    for (const [key, values] of Object.entries(JSON_DATA_VALUES[type] ?? {})) {
      const value = (d.jsonData as Record<string, unknown> | undefined)?.[key];
      if (value !== undefined && !values.includes(String(value))) problems.push(`${where} jsonData.${key}: ${String(value)} is not one of ${values.join(", ")}`);
    }
  }
  return problems;
}

/** Problems Grafana 13.2.3 would have with a dashboard provider file. */
export function providerProblems(file: Record<string, unknown>): string[] {
  const problems = unknownKeys(file, PROVISIONING.dashboardsFile, "dashboards file");
  for (const p of (file.providers as Array<Record<string, unknown>> | undefined) ?? []) {
    problems.push(...unknownKeys(p, PROVISIONING.provider, `provider ${String(p.name)}`), ...unknownKeys(p.options, PROVISIONING.providerOptions, `provider ${String(p.name)} options`));
  }
  return problems;
}

/** Problems Grafana 13.2.3 would have with grafana.ini parsed as { section: { key: value } }. */
export function iniProblems(ini: Record<string, Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [section, keys] of Object.entries(ini)) {
    if (section === "") continue;
    const known = INI[section];
    if (known === undefined) {
      problems.push(`[${section}]: no key list for this section; add it from Grafana's conf/defaults.ini`);
      continue;
    }
    for (const key of Object.keys(keys)) {
      const removed = INI_REMOVED[`${section}.${key}`];
      if (removed) problems.push(`[${section}] ${key}: ${removed}`);
      else if (!known.includes(key)) problems.push(`[${section}] ${key}: unknown to Grafana ${GRAFANA_REFERENCE.release}`);
    }
  }
  return problems;
}
