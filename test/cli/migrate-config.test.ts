import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { checkConfigCommand } from '../../src/cli/check-config';
import type { Command, CommandIo } from '../../src/cli/command';
import { migrateConfigCommand } from '../../src/cli/migrate-config';
import { MATERIAL_TIMEOUT_MS, makeMaterial } from '../simulators/fixtures';

async function run(command: Command, argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => new Writable({ write(chunk, _e, done) { into.push(String(chunk)); done(); } });
  const io: CommandIo = { stdin: Readable.from([]), stdout: sink(out), stderr: sink(err), env: {}, cwd };
  const code = await command.run(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A production-like Sygnal config: certificate and token APNs apps, an FCM v1 app, a legacy GCM app. */
const SYGNAL_YAML = `
log:
  setup:
    version: 1
    formatters:
      normal:
        format: "%(asctime)s [%(process)d] %(levelname)-5s %(name)s %(message)s"
    handlers:
      stderr:
        class: "logging.StreamHandler"
        formatter: "normal"
        stream: "ext://sys.stderr"
    loggers:
      sygnal:
        propagate: false
        handlers: ["stderr"]
        level: "DEBUG"
    root:
      handlers: ["stderr"]
      level: "INFO"
  access:
    x_forwarded_for: true

http:
  bind_addresses: ['0.0.0.0']
  port: 5000

proxy: 'http://pushproxy.internal:3128'

metrics:
  prometheus:
    enabled: true
    address: '0.0.0.0'
    port: 8000
  sentry:
    enabled: true
    dsn: "https://key@sentry.example.org/1"

apps:
  im.example.ios.cert:
    type: apns
    certfile: certs/ios_prod.pem
    inflight_request_limit: 256
  im.example.ios:
    type: apns
    keyfile: keys/AuthKey_KEY1234567.p8
    key_id: KEY1234567
    team_id: TEAM123456
    topic: im.example.app
    platform: sandbox
    push_type: alert
    convert_device_token_to_hex: true
  im.example.android:
    type: gcm
    api_version: v1
    project_id: example-project
    service_account_file: service_account.json
    max_connections: 10
    fcm_options:
      android:
        ttl: 600s
      apns:
        payload:
          aps:
            content-available: 1
            mutable-content: 1
`;

describe('herald migrate-config', () => {
  let dir: string;
  beforeAll(() => {
    const material = makeMaterial();
    dir = mkdtempSync(join(tmpdir(), 'herald-migrate-'));
    mkdirSync(join(dir, 'certs'));
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'certs/ios_prod.pem'), material.sandboxClient.certPem + material.sandboxClient.keyPem);
    writeFileSync(join(dir, 'keys/AuthKey_KEY1234567.p8'), material.apnsKey.privateKeyPem);
    writeFileSync(join(dir, 'service_account.json'), JSON.stringify(material.serviceAccount));
    writeFileSync(join(dir, 'sygnal.yaml'), SYGNAL_YAML);
  }, MATERIAL_TIMEOUT_MS);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('converts APNs (certificate and token) and FCM v1 apps into a config check-config accepts', async () => {
    const migrated = await run(migrateConfigCommand, ['sygnal.yaml'], dir);
    expect(migrated.code).toBe(0);
    const config = JSON.parse(migrated.stdout);
    expect(Object.keys(config.apps)).toEqual(['im.example.ios.cert', 'im.example.ios', 'im.example.android']);
    expect(config).toMatchObject({
      http: { bind_addresses: ['0.0.0.0'], port: 5000 },
      log: { level: 'debug' },
      proxy: 'http://pushproxy.internal:3128',
      metrics: { enabled: true, bind_address: '0.0.0.0', port: 8000 },
    });
    expect(migrated.stderr).toMatch(/note: metrics\.sentry: /);
    expect(migrated.stderr).toMatch(/note: log\.access: /);
    expect(migrated.stderr).not.toMatch(/action needed/);

    // Saved next to sygnal.yaml, as the notes advise: relative paths resolve as they did for Sygnal.
    writeFileSync(join(dir, 'apps.config.json'), migrated.stdout);
    const checked = await run(checkConfigCommand, ['apps.config.json'], dir);
    expect(checked.stderr).toBe('');
    expect(checked).toMatchObject({ code: 0, stdout: expect.stringContaining('OK (3 apps') });
  });

  test('a legacy GCM app converts with an action note and a placeholder that check-config reports', async () => {
    writeFileSync(join(dir, 'legacy.yaml'), 'apps:\n  im.example.old:\n    type: gcm\n    api_key: AIzaLegacyKey\n');
    const migrated = await run(migrateConfigCommand, ['legacy.yaml'], dir);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).not.toContain('AIzaLegacyKey');
    expect(migrated.stderr).toMatch(/action needed: apps\["im\.example\.old"\]\.service_account_file: /);
    writeFileSync(join(dir, 'legacy.config.json'), migrated.stdout);
    const checked = await run(checkConfigCommand, ['legacy.config.json'], dir);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/apps\["im\.example\.old"\]\.service_account_file: file not found: .*REPLACE-ME-service-account\.json/);
  });

  test('a missing file or broken YAML exits 1 with a message; no argument is a usage error', async () => {
    expect(await run(migrateConfigCommand, ['nope.yaml'], dir)).toMatchObject({ code: 1, stderr: expect.stringContaining('ENOENT') });
    writeFileSync(join(dir, 'broken.yaml'), 'apps: [unclosed\n');
    expect(await run(migrateConfigCommand, ['broken.yaml'], dir)).toMatchObject({ code: 1, stdout: '' });
    expect(await run(migrateConfigCommand, [], dir)).toMatchObject({ code: 2 });
  });
});
