import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../src/config/load';
import { ConfigError, formatPath } from '../../src/config/problems';
import { makeMaterial } from '../simulators/fixtures';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'herald-config-'));
  mkdirSync(join(dir, 'secrets'));
  const material = makeMaterial();
  writeFileSync(join(dir, 'secrets', 'AuthKey.p8'), material.apnsKey.privateKeyPem);
  writeFileSync(join(dir, 'secrets', 'cert.pem'), material.sandboxClient.certPem + material.sandboxClient.keyPem);
  writeFileSync(join(dir, 'secrets', 'sa.json'), JSON.stringify(material.serviceAccount));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tokenApp = { type: 'apns', keyfile: 'secrets/AuthKey.p8', key_id: 'ABC123DEFG', team_id: 'TEAM123456', topic: 'com.x' };
const certApp = { type: 'apns', certfile: 'secrets/cert.pem' };
const fcmApp = { type: 'fcm', service_account_file: 'secrets/sa.json' };

/** The config file lives in `dir`; parseConfig is given its path so relative paths resolve there. */
function load(config: unknown, env: NodeJS.ProcessEnv = {}) {
  return parseConfig(JSON.stringify(config), join(dir, 'apps.config.json'), env);
}

/** Every problem as an operator reads it: `path: message`. */
function problems(config: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    load(config, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
  }
  throw new Error('expected the config to be refused');
}

describe('loading a config', () => {
  test('a minimal valid config gets the documented defaults', () => {
    const { config } = load({ apps: { 'com.x.ios': tokenApp } });
    expect(config.http).toEqual({
      bind_addresses: ['127.0.0.1'], port: 5000, workers: 1, max_body_bytes: 524288,
      max_devices: 1000, max_inflight_requests: 2000, request_timeout_ms: 20000,
    });
    expect(config.dedup).toMatchObject({ ttl_seconds: 900, max_entries: 100000 });
    expect(config.apps['com.x.ios']).toMatchObject({
      platform: 'production', convert_device_token_to_hex: true, send_badge_counts: true,
      inflight_request_limit: 512, counts_only_type: 'none', max_payload_bytes: 4096, default_payload: {},
    });
  });

  test('relative paths are resolved against the config file\'s folder, not the working directory', () => {
    const { config } = load({ apps: { 'com.x.ios': tokenApp, 'com.x.cert': certApp, 'com.x.android': { ...fcmApp, ca_file: './secrets/cert.pem' } } });
    expect(config.apps['com.x.ios']).toMatchObject({ keyfile: join(dir, 'secrets', 'AuthKey.p8') });
    expect(config.apps['com.x.cert']).toMatchObject({ certfile: join(dir, 'secrets', 'cert.pem') });
    expect(config.apps['com.x.android']).toMatchObject({ service_account_file: join(dir, 'secrets', 'sa.json'), ca_file: join(dir, 'secrets', 'cert.pem') });
  });

  test('absolute paths are kept', () => {
    const keyfile = join(dir, 'secrets', 'AuthKey.p8');
    expect(load({ apps: { 'com.x.ios': { ...tokenApp, keyfile } } }).config.apps['com.x.ios']).toMatchObject({ keyfile });
  });

  test('a file that does not exist is named with the app\'s JSON path and the resolved file', () => {
    expect(problems({ apps: { 'com.x.ios': { ...tokenApp, keyfile: 'secrets/missing.p8' } } })).toEqual([
      `apps["com.x.ios"].keyfile: file not found: ${join(dir, 'secrets', 'missing.p8')}`,
    ]);
  });

  test('loadConfig reads from disk; an unreadable file is one problem', () => {
    const file = join(dir, 'on-disk.json');
    writeFileSync(file, JSON.stringify({ apps: { 'com.x.ios': tokenApp } }));
    expect(Object.keys(loadConfig(file, {}).config.apps)).toEqual(['com.x.ios']);
    expect(() => loadConfig(join(dir, 'nope.json'), {})).toThrow(/cannot read the file: ENOENT/);
  });

  test('a file that is not JSON is one problem at the top level', () => {
    expect(() => parseConfig('{"apps": ', join(dir, 'x.json'), {})).toThrow(/\(top level\): not valid JSON/);
  });
});

describe('unknown keys are errors at every level', () => {
  test.each([
    ['top level', { apps: {}, htpp: {} }, 'htpp: unknown key (check the spelling)'],
    ['http', { apps: {}, http: { prot: 1 } }, 'http.prot: unknown key (check the spelling)'],
    ['log', { apps: {}, log: { levle: 'info' } }, 'log.levle: unknown key (check the spelling)'],
    ['metrics', { apps: {}, metrics: { enable: true } }, 'metrics.enable: unknown key (check the spelling)'],
    ['dedup', { apps: {}, dedup: { ttl: 1 } }, 'dedup.ttl: unknown key (check the spelling)'],
    ['an APNs app', { apps: { 'com.x.ios': { ...tokenApp, keyid: 'x' } } }, 'apps["com.x.ios"].keyid: unknown key (check the spelling)'],
    ['an FCM app', { apps: { 'com.x.android': { ...fcmApp, max_conections: 3 } } }, 'apps["com.x.android"].max_conections: unknown key (check the spelling)'],
    ['an APNs-only key on an FCM app', { apps: { 'com.x.android': { ...fcmApp, topic: 'com.x' } } }, 'apps["com.x.android"].topic: unknown key (check the spelling)'],
  ])('%s', (_name, config, expected) => {
    expect(problems(config)).toEqual([expected]);
  });

  test('a JSON "__proto__" key is reported, not swallowed', () => {
    expect(problems(JSON.parse('{"apps": {}, "__proto__": {"x": 1}}'))).toEqual(['__proto__: unknown key (check the spelling)']);
  });
});

describe('schema errors name their path', () => {
  test.each([
    [{ apps: {}, http: { port: 'five thousand' } }, /^http\.port: /],
    [{ apps: {}, http: { bind_addresses: [] } }, /^http\.bind_addresses: /],
    [{ apps: {}, log: { format: 'xml' } }, /^log\.format: /],
    [{ apps: {}, dedup: { redis_url: 'http://x' } }, /^dedup\.redis_url: must be a redis:\/\/ or rediss:\/\/ URL$/],
    [{ apps: {}, proxy: 'socks5://x' }, /^proxy: must be an http:\/\/ URL/],
    [{ apps: { 'com.x.ios': { ...tokenApp, platform: 'staging' } } }, /^apps\["com\.x\.ios"\]\.platform: /],
    [{ apps: { 'com.x.ios': { ...tokenApp, counts_only_type: 'some' } } }, /^apps\["com\.x\.ios"\]\.counts_only_type: /],
    [{ apps: { 'com.x.ios': { ...tokenApp, max_payload_bytes: 5000 } } }, /^apps\["com\.x\.ios"\]\.max_payload_bytes: /],
    [{ apps: { 'com.x.ios': { ...tokenApp, type: 'webpush' } } }, /^apps\["com\.x\.ios"\]\.type: /],
    [{ apps: { 'com.x.ios': { ...tokenApp, endpoint: 'not a url' } } }, /^apps\["com\.x\.ios"\]\.endpoint: /],
    [{}, /^apps: /],
  ])('%j', (config, expected) => {
    const found = problems(config);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  test('every problem is reported at once', () => {
    const found = problems({ apps: {}, http: { port: -1, prot: 1 }, log: { level: 'loud' } });
    expect(found.map((p) => p.split(':')[0]).sort()).toEqual(['http.port', 'http.prot', 'log.level']);
  });
});

describe('${ENV} references', () => {
  test('are substituted, anywhere in a string', () => {
    const { config } = load(
      { proxy: 'http://${PROXY_HOST}:3128', apps: { 'com.x.ios': { ...tokenApp, key_id: '${KEY_ID}', keyfile: '${SECRETS}/AuthKey.p8' } } },
      { PROXY_HOST: 'proxy.internal', KEY_ID: 'FROMENV123', SECRETS: 'secrets' },
    );
    expect(config.proxy).toBe('http://proxy.internal:3128');
    expect(config.apps['com.x.ios']).toMatchObject({ key_id: 'FROMENV123', keyfile: join(dir, 'secrets', 'AuthKey.p8') });
  });

  test('a missing variable is a problem at the value\'s path', () => {
    expect(problems({ apps: { 'com.x.ios': { ...tokenApp, key_id: '${APNS_KEY_ID}' } } })).toContain(
      'apps["com.x.ios"].key_id: environment variable APNS_KEY_ID is not set',
    );
  });

  test('values that only look like references are kept', () => {
    const { config } = load({ apps: { 'com.x.ios': { ...tokenApp, default_payload: { text: '$HOME and ${not valid}' } } } });
    expect(config.apps['com.x.ios'].default_payload).toEqual({ text: '$HOME and ${not valid}' });
  });
});

describe('APNs auth rules', () => {
  test('token auth and certificate auth each load', () => {
    expect(Object.keys(load({ apps: { a: tokenApp, b: certApp } }).config.apps)).toEqual(['a', 'b']);
  });

  test('both at once is refused', () => {
    expect(problems({ apps: { 'com.x.ios': { ...tokenApp, certfile: 'secrets/cert.pem' } } })).toEqual([
      'apps["com.x.ios"]: choose token auth (keyfile) or certificate auth (certfile), not both',
    ]);
  });

  test('neither is refused', () => {
    expect(problems({ apps: { 'com.x.ios': { type: 'apns', topic: 'com.x' } } })).toEqual([
      'apps["com.x.ios"]: needs keyfile + key_id + team_id (token auth) or certfile',
    ]);
  });

  test.each(['key_id', 'team_id', 'topic', 'keyfile'])('token auth without %s names it', (key) => {
    const { [key as keyof typeof tokenApp]: _left, ...rest } = tokenApp;
    expect(problems({ apps: { 'com.x.ios': rest } })).toEqual([`apps["com.x.ios"].${key}: required with token auth (keyfile)`]);
  });
});

describe('FCM apps', () => {
  test('"gcm" is accepted as an alias', () => {
    expect(load({ apps: { 'com.x.android': { ...fcmApp, type: 'gcm' } } }).config.apps['com.x.android'].type).toBe('gcm');
  });

  test('a missing service account file', () => {
    expect(problems({ apps: { 'com.x.android': { ...fcmApp, service_account_file: 'secrets/none.json' } } })).toEqual([
      `apps["com.x.android"].service_account_file: file not found: ${join(dir, 'secrets', 'none.json')}`,
    ]);
  });

  test('a service account that is not JSON, or lacks its fields', () => {
    writeFileSync(join(dir, 'secrets', 'broken.json'), 'nope');
    writeFileSync(join(dir, 'secrets', 'empty.json'), '{}');
    expect(problems({ apps: { a: { ...fcmApp, service_account_file: 'secrets/broken.json' } } })).toEqual([
      'apps.a.service_account_file: not a JSON service account file',
    ]);
    expect(problems({ apps: { a: { ...fcmApp, service_account_file: 'secrets/empty.json' } } })).toEqual([
      'apps.a.service_account_file: service account has no client_email',
      'apps.a.service_account_file: service account has no private_key',
      'apps.a.project_id: required: the service account names no project_id',
    ]);
  });

  test('legacy fcm_options keys are named with their v1 replacement', () => {
    expect(problems({ apps: { a: { ...fcmApp, fcm_options: { time_to_live: 60, android: { collapseKey: 'x', priority: 'urgent' } } } } })).toEqual([
      'apps.a.fcm_options.time_to_live: a legacy FCM API key; in HTTP v1 use android.ttl (a duration string such as "3600s")',
      'apps.a.fcm_options.android.collapseKey: not an HTTP v1 AndroidConfig field; use android.collapse_key',
      'apps.a.fcm_options.android.priority: must be "high" or "normal"',
    ]);
  });

  test('valid v1 fcm_options load', () => {
    const fcm_options = { android: { ttl: '3600s', priority: 'normal', collapse_key: 'c' }, data: { k: 'v' } };
    expect(load({ apps: { a: { ...fcmApp, fcm_options } } }).config.apps.a).toMatchObject({ fcm_options });
  });
});

describe('glob app ids', () => {
  test('globs with * and ? load beside exact ids', () => {
    expect(Object.keys(load({ apps: { 'im.example.*': certApp, 'im.?.app': certApp, 'im.example.app': certApp } }).config.apps)).toHaveLength(3);
  });

  test('a glob with other special characters is refused', () => {
    expect(problems({ apps: { 'im.(example|other).*': certApp } })).toEqual([
      'apps["im.(example|other).*"]: glob app ids may only use letters, digits, . _ - and the wildcards * ?',
    ]);
  });
});
