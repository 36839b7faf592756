import { heraldLevel, migrateSygnalConfig, SERVICE_ACCOUNT_PLACEHOLDER } from '../../src/migrate/sygnal';

const notesAt = (notes: Array<{ at: string; level: string }>, level: string) => notes.filter((n) => n.level === level).map((n) => n.at);

describe('migrateSygnalConfig', () => {
  test('copies the Sygnal keys of APNs and FCM v1 apps, keeping paths as written', () => {
    const { config, notes } = migrateSygnalConfig({
      apps: {
        'com.example.ios': { type: 'apns', certfile: 'certs/prod.pem', platform: 'production', inflight_request_limit: 100, convert_device_token_to_hex: false },
        'com.example.ios.token': { type: 'apns', keyfile: '/etc/keys/AuthKey.p8', key_id: 'KEY1234567', team_id: 'TEAM123456', topic: 'com.example', push_type: 'alert', send_badge_counts: false },
        'im.example.android': { type: 'gcm', api_version: 'v1', project_id: 'p1', service_account_file: 'sa.json', fcm_options: { android: { ttl: '60s' } }, max_connections: 5 },
      },
    });
    expect(config.apps).toEqual({
      'com.example.ios': { type: 'apns', certfile: 'certs/prod.pem', platform: 'production', inflight_request_limit: 100, convert_device_token_to_hex: false },
      'com.example.ios.token': { type: 'apns', keyfile: '/etc/keys/AuthKey.p8', key_id: 'KEY1234567', team_id: 'TEAM123456', topic: 'com.example', push_type: 'alert', send_badge_counts: false },
      'im.example.android': { type: 'fcm', project_id: 'p1', service_account_file: 'sa.json', fcm_options: { android: { ttl: '60s' } }, max_connections: 5 },
    });
    expect(notesAt(notes, 'action')).toEqual([]);
  });

  test('http, proxy and an enabled Prometheus listener carry over; Sygnal\'s default port fills a gap', () => {
    const { config } = migrateSygnalConfig({
      http: { bind_addresses: ['0.0.0.0', '::'], port: 5001 },
      proxy: 'http://user:secret@proxy:8080',
      metrics: { prometheus: { enabled: true, address: '0.0.0.0' } },
      apps: { a: { type: 'apns', certfile: 'c.pem' } },
    });
    expect(config).toMatchObject({
      http: { bind_addresses: ['0.0.0.0', '::'], port: 5001 },
      proxy: 'http://user:secret@proxy:8080',
      metrics: { enabled: true, bind_address: '0.0.0.0', port: 8000 },
    });
  });

  test('Prometheus off (Sygnal\'s default) stays off, with a note', () => {
    const { config, notes } = migrateSygnalConfig({ apps: { a: { type: 'apns', certfile: 'c.pem' } } });
    expect(config.metrics).toEqual({ enabled: false });
    expect(notesAt(notes, 'info')).toContain('metrics.prometheus');
  });

  test('a legacy api_key app gets a placeholder that check-config will refuse, and an action note', () => {
    const { config, notes } = migrateSygnalConfig({ apps: { old: { type: 'gcm', api_key: 'AIza-secret', fcm_options: { priority: 'high' } } } });
    expect(config.apps).toEqual({ old: { type: 'fcm', service_account_file: SERVICE_ACCOUNT_PLACEHOLDER, fcm_options: { priority: 'high' } } });
    expect(notesAt(notes, 'action')).toEqual(['apps["old"].service_account_file', 'apps["old"].fcm_options']);
    expect(JSON.stringify(config)).not.toContain('AIza-secret');
  });

  test('webpush and custom pushkin classes are left out with an action note; unknown keys are noted', () => {
    const { config, notes } = migrateSygnalConfig({
      apps: {
        web: { type: 'webpush', vapid_private_key: 'k' },
        custom: { type: 'mycompany.pushkins.Custom' },
        ios: { type: 'apns', certfile: 'c.pem', event_handlers: {}, colour: 'red' },
      },
      database: { name: 'sqlite3' },
      sentry_extra: 1,
    });
    expect(Object.keys(config.apps as object)).toEqual(['ios']);
    expect(config.apps).toEqual({ ios: { type: 'apns', certfile: 'c.pem' } });
    expect(notesAt(notes, 'action')).toEqual(['apps["web"]', 'apps["custom"]']);
    expect(notesAt(notes, 'info')).toEqual(expect.arrayContaining(['apps["ios"].event_handlers', 'apps["ios"].colour', 'database', 'sentry_extra']));
  });

  test('the log level comes from the sygnal logger, else the root logger; handlers become a note', () => {
    const setup = (sygnal?: string, root?: string) => ({
      log: { setup: { version: 1, loggers: sygnal ? { sygnal: { level: sygnal } } : {}, root: root ? { level: root } : {} } },
      apps: { a: { type: 'apns', certfile: 'c.pem' } },
    });
    expect(migrateSygnalConfig(setup('DEBUG', 'INFO')).config.log).toEqual({ level: 'debug', format: 'json' });
    expect(migrateSygnalConfig(setup(undefined, 'WARNING')).config.log).toEqual({ level: 'warn', format: 'json' });
    expect(migrateSygnalConfig(setup()).config.log).toBeUndefined();
    expect(notesAt(migrateSygnalConfig(setup()).notes, 'info')).toContain('log.setup');
    expect(['CRITICAL', 'error', 'NOTSET'].map(heraldLevel)).toEqual(['error', 'error', 'info']);
  });

  test('sentry and opentracing, when enabled, are noted', () => {
    const { notes } = migrateSygnalConfig({ metrics: { sentry: { enabled: true, dsn: 'x' }, opentracing: { enabled: true } }, apps: {} });
    expect(notesAt(notes, 'info')).toEqual(expect.arrayContaining(['metrics.sentry', 'metrics.opentracing']));
    expect(notesAt(notes, 'action')).toEqual(['apps']);
  });

  test('something that is not a mapping converts to nothing, with an action note', () => {
    expect(migrateSygnalConfig('just a string')).toEqual({ config: { apps: {} }, notes: [expect.objectContaining({ level: 'action' })] });
  });
});
