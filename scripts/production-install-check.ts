/**
 * CI's stand-in for building the container image (no container engine runs there): lays out
 * exactly what the Dockerfile's runtime stage copies in a clean folder, runs the npm install
 * that stage runs (production dependencies only), then drives the installed `herald` as the
 * image would: check-config, serve (/health, two deliveries through the simulators, /metrics)
 * and a SIGTERM that must end in exit 0. Run after `npm run build`:
 *   node dist/scripts/production-install-check.js [--keep]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type RuntimeCopy, runtimeCopies, runtimeRuns } from './production-install/dockerfile';
import { type Started, start, stop } from './production-install/processes';

const root = resolve(__dirname, '..', '..');
const STEP_TIMEOUT_MS = 30_000;

function step(message: string): void {
  process.stdout.write(`production-install-check: ${message}\n`);
}

/** Tracked files only, as in a clean clone (the image is built from one). */
function trackedFiles(source: string): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', source], { cwd: root, encoding: 'utf8' });
  return out.split('\0').filter((f) => f !== '');
}

export function layOut(app: string, copies: RuntimeCopy[]): void {
  for (const copy of copies) {
    const from = join(root, copy.source);
    if (!existsSync(from)) throw new Error(`${copy.source} does not exist${copy.origin === 'build' ? ' (run npm run build first)' : ''}`);
    const directory = statSync(from).isDirectory();
    if (copy.origin === 'build') {
      cpSync(from, join(app, copy.dest), { recursive: true });
      continue;
    }
    const files = trackedFiles(copy.source);
    if (files.length === 0) throw new Error(`${copy.source} is not tracked by git, so a clean clone has no such file`);
    for (const file of files) {
      const target = directory ? join(app, copy.dest, file.slice(copy.source.length + 1)) : join(app, copy.dest);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(root, file), target);
    }
  }
}

/** The `npm ci …` of the runtime stage's RUN lines, as argv. */
function npmInstallArgs(): string[] {
  const commands = runtimeRuns(readFileSync(join(root, 'Dockerfile'), 'utf8')).flatMap((run) => run.split('&&').map((c) => c.trim()));
  const install = commands.find((c) => c.startsWith('npm ci'));
  if (install === undefined || !install.includes('--omit=dev')) throw new Error('the runtime stage runs no `npm ci --omit=dev`');
  return install.split(/\s+/).slice(1);
}

/** Lock-file entries marked dev-only (needed by no production dependency) that are on disk. */
function devOnlyInstalled(app: string): string[] {
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => path !== '' && entry.dev === true && existsSync(join(app, path)))
    .map(([path]) => path);
}

/** The demo apps, laid out as the image expects: config beside a secrets/ folder. */
function writeConfig(etc: string, apnsUrl: string, fcmUrl: string): string {
  const secrets = join(etc, 'secrets');
  mkdirSync(secrets, { recursive: true });
  for (const file of ['AuthKey_DEMOKEY123.p8', 'apns-client.pem', 'ca.pem']) copyFileSync(join(root, 'simulator', file), join(secrets, file));
  const account = JSON.parse(readFileSync(join(root, 'simulator', 'service-account.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(secrets, 'service-account.json'), JSON.stringify({ ...account, token_uri: `${fcmUrl}/token` }));
  const config = {
    http: { bind_addresses: ['127.0.0.1'], port: 0 },
    log: { level: 'info', format: 'json' },
    metrics: { enabled: true, bind_address: '127.0.0.1', port: 0 },
    apps: {
      'org.herald.demo.ios': {
        type: 'apns', platform: 'sandbox', keyfile: 'secrets/AuthKey_DEMOKEY123.p8', key_id: 'DEMOKEY123', team_id: 'DEMOTEAM12',
        topic: 'org.herald.demo', endpoint: apnsUrl, ca_file: 'secrets/ca.pem',
      },
      'org.herald.demo.ios.cert': {
        type: 'apns', platform: 'sandbox', certfile: 'secrets/apns-client.pem', topic: 'org.herald.demo', endpoint: apnsUrl, ca_file: 'secrets/ca.pem',
      },
      'org.herald.demo.android': { type: 'fcm', service_account_file: 'secrets/service-account.json', endpoint: fcmUrl, ca_file: 'secrets/ca.pem' },
    },
  };
  const file = join(etc, 'apps.config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

async function expectJson(url: string, init: RequestInit, status: number, body: unknown): Promise<void> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });
  const text = await response.text();
  if (response.status !== status || text !== JSON.stringify(body)) {
    throw new Error(`${init.method ?? 'GET'} ${url}: expected ${status} ${JSON.stringify(body)}, got ${response.status} ${text}`);
  }
}

function notify(appId: string, pushkey: string): RequestInit {
  const notification = {
    event_id: '$production-install-check', room_id: '!check:example.org', type: 'm.room.message', sender: '@ci:example.org',
    content: { msgtype: 'm.text', body: 'production install check' }, counts: { unread: 1 }, devices: [{ app_id: appId, pushkey }],
  };
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ notification }) };
}

async function drive(app: string, etc: string, env: NodeJS.ProcessEnv, running: Started[]): Promise<void> {
  const herald = join(app, 'bin', 'herald.js');
  const sims = start(process.execPath, [herald, 'simulate', '--apns-port', '0', '--fcm-port', '0', '--material', join(root, 'simulator')], { cwd: app, env });
  running.push(sims);
  const apnsUrl = /listening on (https:\/\/\S+)/.exec(await sims.waitForLine(/APNs simulator listening on/, STEP_TIMEOUT_MS))?.[1] as string;
  const fcmUrl = /listening on (https:\/\/\S+)/.exec(await sims.waitForLine(/FCM simulator listening on/, STEP_TIMEOUT_MS))?.[1] as string;
  const config = writeConfig(etc, apnsUrl, fcmUrl);

  step('herald check-config');
  execFileSync(process.execPath, [herald, 'check-config', config], { cwd: app, env, stdio: 'inherit', timeout: STEP_TIMEOUT_MS });

  step('herald serve');
  const serve = start(process.execPath, [herald, 'serve', '--config', config], { cwd: app, env });
  running.push(serve);
  const listening = JSON.parse(await serve.waitForLine(/"herald listening"/, STEP_TIMEOUT_MS)) as { urls: string[]; metrics: string };
  const base = listening.urls[0];
  await expectJson(`${base}/health`, {}, 200, { status: 'ok' });
  const iosPushkey = Buffer.from('herald demo iOS device token 32b').toString('base64');
  await expectJson(`${base}/_matrix/push/v1/notify`, notify('org.herald.demo.ios', iosPushkey), 200, { rejected: [] });
  await expectJson(`${base}/_matrix/push/v1/notify`, notify('org.herald.demo.ios.cert', iosPushkey), 200, { rejected: [] });
  await expectJson(`${base}/_matrix/push/v1/notify`, notify('org.herald.demo.android', 'production-install-check-token'), 200, { rejected: [] });
  const metrics = await (await fetch(listening.metrics, { signal: AbortSignal.timeout(STEP_TIMEOUT_MS) })).text();
  for (const backend of ['apns', 'fcm']) {
    if (!new RegExp(`herald_pushes_total\\{[^}]*backend="${backend}"[^}]*outcome="delivered"[^}]*\\} [1-9]`).test(metrics)) {
      throw new Error(`/metrics shows no delivered ${backend} push:\n${metrics}`);
    }
  }

  step('SIGTERM');
  const code = await stop(serve, 'SIGTERM', STEP_TIMEOUT_MS);
  if (code !== 0) throw new Error(`herald serve ended with ${code} after SIGTERM (expected exit 0):\n${serve.output()}`);
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const copies = runtimeCopies(dockerfile, (c) => existsSync(join(root, c.source)) && statSync(join(root, c.source)).isDirectory());
  const work = mkdtempSync(join(tmpdir(), 'herald-production-install-'));
  const app = join(work, 'app');
  const running: Started[] = [];
  try {
    step(`laying out the runtime stage in ${app}: ${copies.map((c) => `${c.source} → ${c.dest}`).join(', ')}`);
    layOut(app, copies);
    const args = npmInstallArgs();
    step(`npm ${args.join(' ')}`);
    execFileSync('npm', args, { cwd: app, stdio: 'inherit', timeout: 10 * 60_000 });
    const leaked = devOnlyInstalled(app);
    if (leaked.length > 0) throw new Error(`dev-only packages were installed: ${leaked.slice(0, 10).join(', ')}`);
    // The simulators are on loopback: a proxy from the CI environment must not be used for them.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'HERALD_CONFIG']) delete env[name];
    await drive(app, join(work, 'etc-herald'), env, running);
    step('passed');
  } finally {
    for (const child of running) await stop(child, 'SIGTERM', 10_000);
    if (keep) step(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`production-install-check: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
