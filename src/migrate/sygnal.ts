/**
 * Sygnal's YAML config (already parsed) → Herald's apps.config.json, as a pure function.
 * Whatever has no Herald equivalent becomes a note instead of silently disappearing; a note
 * marked `action` must be dealt with before the result will start (or before it is safe).
 *
 * File paths are copied as written. Herald resolves relative paths against the folder of
 * apps.config.json, so a config saved next to sygnal.yaml finds the same files (Sygnal resolved
 * them against its working directory, which in most deployments is that folder).
 */

export interface MigrationNote {
  /** `action`: the output needs an edit (or a decision) before use; `info`: a difference to know. */
  level: 'action' | 'info';
  /** Where in the Sygnal config, e.g. `apps["im.vector.app"].api_key`. */
  at: string;
  message: string;
}

export interface Migration {
  config: Record<string, unknown>;
  notes: MigrationNote[];
}

type Yaml = Record<string, unknown>;

/** Placeholder that `herald check-config` reports as a missing file until it is replaced. */
export const SERVICE_ACCOUNT_PLACEHOLDER = 'REPLACE-ME-service-account.json';

const APNS_KEYS = [
  'platform', 'certfile', 'keyfile', 'key_id', 'team_id', 'topic', 'push_type',
  'convert_device_token_to_hex', 'send_badge_counts', 'inflight_request_limit',
] as const;
const FCM_KEYS = ['project_id', 'service_account_file', 'fcm_options', 'max_connections', 'send_badge_counts', 'inflight_request_limit'] as const;
const HTTP_KEYS = ['bind_addresses', 'port'] as const;

/** Sygnal's Prometheus listener when `enabled` is set without an address or port. */
const SYGNAL_PROMETHEUS_DEFAULTS = { address: '127.0.0.1', port: 8000 };

export function migrateSygnalConfig(sygnal: unknown): Migration {
  const notes: MigrationNote[] = [];
  const note = (level: MigrationNote['level'], at: string, message: string) => notes.push({ level, at, message });
  if (!isObject(sygnal)) {
    note('action', '(top level)', 'not a YAML mapping: nothing to convert');
    return { config: { apps: {} }, notes };
  }
  const config: Record<string, unknown> = {};

  const http = sectionOf(sygnal, 'http', note);
  if (http) config.http = copyKnown(http, HTTP_KEYS, 'http', note);

  const log = sectionOf(sygnal, 'log', note);
  if (log) {
    const level = migrateLog(log, note);
    if (level) config.log = { level, format: 'json' };
  }

  const metrics = sectionOf(sygnal, 'metrics', note);
  config.metrics = migrateMetrics(metrics ?? {}, note);

  if (typeof sygnal.proxy === 'string' && sygnal.proxy !== '') config.proxy = sygnal.proxy;
  else if (sygnal.proxy !== undefined && sygnal.proxy !== null) note('action', 'proxy', 'not a URL string: left out');

  const apps: Record<string, unknown> = {};
  const sygnalApps = sectionOf(sygnal, 'apps', note) ?? {};
  for (const [appId, app] of Object.entries(sygnalApps)) {
    const converted = isObject(app) ? migrateApp(appId, app, note) : undefined;
    if (!isObject(app)) note('action', appPath(appId), 'not a mapping: left out');
    if (converted) apps[appId] = converted;
  }
  config.apps = apps;
  if (Object.keys(apps).length === 0) note('action', 'apps', 'no app could be converted: Herald would reject every pushkey');

  for (const key of Object.keys(sygnal)) {
    if (!['http', 'log', 'metrics', 'proxy', 'apps'].includes(key)) {
      note('info', key, key === 'database' ? 'Herald keeps no database (its dedup memory is in process or in Redis): left out' : 'no Herald equivalent: left out');
    }
  }
  return { config, notes };
}

type Note = (level: MigrationNote['level'], at: string, message: string) => void;

function migrateApp(appId: string, app: Yaml, note: Note): Record<string, unknown> | undefined {
  const at = appPath(appId);
  const type = app.type;
  if (type === 'apns') {
    const out = { type: 'apns', ...copyKnown(app, APNS_KEYS, at, note, ['type', 'event_handlers']) };
    if (app.event_handlers !== undefined) note('info', `${at}.event_handlers`, 'no Herald equivalent: left out');
    return out;
  }
  if (type === 'gcm' || type === 'fcm') return migrateFcm(appId, app, note);
  const reason = type === 'webpush'
    ? 'WebPush has no Herald equivalent'
    : `type ${JSON.stringify(type)} (a custom pushkin class?) has no Herald equivalent`;
  note('action', at, `${reason}: left out. Herald rejects pushkeys of unknown apps, so homeservers would delete these pushers; keep serving this app with Sygnal (route its app id there) until it moves`);
  return undefined;
}

function migrateFcm(appId: string, app: Yaml, note: Note): Record<string, unknown> {
  const at = appPath(appId);
  const out: Record<string, unknown> = { type: 'fcm', ...copyKnown(app, FCM_KEYS, at, note, ['type', 'api_version', 'api_key']) };
  const legacy = app.api_version !== 'v1' || app.api_key !== undefined;
  if (app.api_key !== undefined) note('info', `${at}.api_key`, 'legacy FCM server keys are not used (the legacy API is gone): left out');
  if (app.api_version !== undefined && app.api_version !== 'v1') {
    note('info', `${at}.api_version`, `${JSON.stringify(app.api_version)} is the legacy FCM API, which Google shut down; Herald speaks only HTTP v1`);
  }
  if (out.service_account_file === undefined) {
    out.service_account_file = SERVICE_ACCOUNT_PLACEHOLDER;
    note('action', `${at}.service_account_file`, `${legacy ? 'a legacy (api_key) app: ' : ''}create a service account key for the Firebase project (FCM HTTP v1) and set its path in place of ${SERVICE_ACCOUNT_PLACEHOLDER}; set project_id unless the key file names it`);
  }
  if (app.fcm_options !== undefined && legacy) {
    note('action', `${at}.fcm_options`, 'legacy fcm_options (priority, time_to_live, …) differ from the v1 message fields (android.priority, android.ttl, apns, …): rewrite them; herald check-config validates them');
  }
  return out;
}

function migrateLog(log: Yaml, note: Note): string | undefined {
  const setup = isObject(log.setup) ? log.setup : undefined;
  if (log.setup !== undefined) {
    note('info', 'log.setup', 'Python logging handlers, formatters and files have no equivalent: Herald writes one JSON line per event to stdout (log.format "pretty" for people)');
  }
  if (log.access !== undefined) note('info', 'log.access', 'no equivalent: Herald logs one line per notify request with its request id (X-Request-Id)');
  const loggers = setup && isObject(setup.loggers) ? setup.loggers : {};
  const candidates = [isObject(loggers.sygnal) ? loggers.sygnal.level : undefined, setup && isObject(setup.root) ? setup.root.level : undefined];
  const level = candidates.find((l): l is string => typeof l === 'string');
  return level === undefined ? undefined : heraldLevel(level);
}

/** Python's level names → Herald's four; anything unknown stays at the default. */
export function heraldLevel(python: string): string {
  const table: Record<string, string> = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', WARNING: 'warn', ERROR: 'error', CRITICAL: 'error', FATAL: 'error' };
  return table[python.toUpperCase()] ?? 'info';
}

function migrateMetrics(metrics: Yaml, note: Note): Record<string, unknown> {
  for (const tool of ['sentry', 'opentracing'] as const) {
    const section = metrics[tool];
    if (isObject(section) && section.enabled === true) {
      note('info', `metrics.${tool}`, `no ${tool === 'sentry' ? 'Sentry' : 'OpenTracing'} support: errors are logged (level error) and counted in Prometheus instead`);
    }
  }
  const prometheus = isObject(metrics.prometheus) ? metrics.prometheus : undefined;
  if (prometheus?.enabled !== true) {
    note('info', 'metrics.prometheus', 'Prometheus was off in Sygnal, so metrics stay off; set metrics.enabled to true to serve Herald\'s /metrics');
    return { enabled: false };
  }
  note('info', 'metrics.prometheus', 'metric names differ from Sygnal\'s (herald_* instead of sygnal_*): update dashboards and alerts (docs/migrating-from-sygnal.md)');
  return {
    enabled: true,
    bind_address: typeof prometheus.address === 'string' ? prometheus.address : SYGNAL_PROMETHEUS_DEFAULTS.address,
    port: typeof prometheus.port === 'number' ? prometheus.port : SYGNAL_PROMETHEUS_DEFAULTS.port,
  };
}

/** Copies `keys` that are present; notes every other key except `handled` ones. */
function copyKnown(source: Yaml, keys: readonly string[], at: string, note: Note, handled: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (keys.includes(key)) {
      if (value !== null && value !== undefined) out[key] = value;
    } else if (!handled.includes(key)) {
      note('info', `${at}.${key}`, 'not understood (Sygnal ignores it too, with a warning): left out');
    }
  }
  return out;
}

function sectionOf(sygnal: Yaml, key: string, note: Note): Yaml | undefined {
  const value = sygnal[key];
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value;
  note('action', key, 'not a mapping: left out');
  return undefined;
}

function appPath(appId: string): string {
  return `apps[${JSON.stringify(appId)}]`;
}

function isObject(value: unknown): value is Yaml {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
