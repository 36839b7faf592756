/**
 * The processes a benchmark measures: the simulators (bench/simulators.ts) and the gateway
 * (`herald serve`), each its own node process on loopback, plus what /proc says about them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** The repository root (this file runs as dist/bench/processes.js). */
export const ROOT = resolve(__dirname, '..', '..');
const DEMO_DIR = join(ROOT, 'simulator');

export const APNS_APP = 'org.herald.bench.ios';
export const FCM_APP = 'org.herald.bench.android';

export interface Running {
  pid: number;
  stop(): Promise<void>;
}

export interface Stack {
  gatewayUrl: string;
  metricsUrl: string;
  apnsUrl: string;
  fcmUrl: string;
  gateway: Running;
  simulators: Running;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago (the gateway binds it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function track(child: ChildProcess, name: string): Running {
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    pid: child.pid ?? -1,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit').catch(() => undefined);
      clearTimeout(killer);
      if (!exited) throw new Error(`${name} did not exit`);
    },
  };
}

/** Starts the simulators process; resolves once it printed its ports. */
export async function startSimulatorProcess(): Promise<{ running: Running; apnsUrl: string; fcmUrl: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'simulators.js'), '--material', DEMO_DIR], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const running = track(child, 'simulators');
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    once(child, 'exit').then(() => undefined),
    delay(30_000).then(() => undefined),
  ]);
  if (first === undefined) {
    await running.stop();
    throw new Error('the simulators did not start within 30 s');
  }
  const ports = JSON.parse(first) as { apns: number; fcm: number };
  return { running, apnsUrl: `https://127.0.0.1:${ports.apns}`, fcmUrl: `https://127.0.0.1:${ports.fcm}` };
}

/** The bench config: one APNs (token auth) and one FCM app on the simulators, logging warnings only. */
export function writeBenchConfig(dir: string, apnsUrl: string, fcmUrl: string, port: number, metricsPort: number): string {
  const account = JSON.parse(readFileSync(join(DEMO_DIR, 'service-account.json'), 'utf8')) as Record<string, unknown>;
  const accountFile = join(dir, 'service-account.json');
  writeFileSync(accountFile, JSON.stringify({ ...account, token_uri: `${fcmUrl}/token` }), { mode: 0o600 });
  const ca = join(DEMO_DIR, 'ca.pem');
  const config = {
    http: { bind_addresses: ['127.0.0.1'], port },
    log: { level: 'warn', format: 'json' },
    metrics: { enabled: true, bind_address: '127.0.0.1', port: metricsPort },
    apps: {
      [APNS_APP]: {
        type: 'apns', platform: 'sandbox', keyfile: join(DEMO_DIR, 'AuthKey_DEMOKEY123.p8'), key_id: 'DEMOKEY123',
        team_id: 'DEMOTEAM12', topic: 'org.herald.demo', endpoint: apnsUrl, ca_file: ca, counts_only_type: 'boolean',
      },
      [FCM_APP]: { type: 'fcm', service_account_file: accountFile, endpoint: fcmUrl, ca_file: ca, counts_only_type: 'boolean' },
    },
  };
  const file = join(dir, 'bench.config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export interface GatewayLaunch {
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  cwd?: string;
}

export async function startGatewayProcess(configFile: string, port: number, launch: GatewayLaunch = {}): Promise<Running> {
  const child = spawn(process.execPath, [...(launch.nodeFlags ?? []), join(ROOT, 'bin', 'herald.js'), 'serve', '--config', configFile], {
    stdio: ['ignore', 'inherit', 'inherit'],
    cwd: launch.cwd ?? ROOT,
  });
  const running = track(child, 'gateway');
  const url = `http://127.0.0.1:${port}/health`;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return running;
    await delay(100);
  }
  await running.stop();
  throw new Error('the gateway did not answer /health within 30 s');
}

/** Simulators, then a gateway configured for them; `stop()` ends both and removes the temp dir. */
export async function startStack(launch: GatewayLaunch = {}): Promise<Stack> {
  const sims = await startSimulatorProcess();
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  try {
    const port = await freePort();
    const metricsPort = await freePort();
    const configFile = writeBenchConfig(dir, sims.apnsUrl, sims.fcmUrl, port, metricsPort);
    const gateway = await startGatewayProcess(configFile, port, launch);
    return {
      gatewayUrl: `http://127.0.0.1:${port}`,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      apnsUrl: sims.apnsUrl,
      fcmUrl: sims.fcmUrl,
      gateway,
      simulators: sims.running,
      async stop() {
        await gateway.stop().catch(() => undefined);
        await sims.running.stop().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await sims.running.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The gateway's V8 heap and external memory in MB, from its own /metrics (prom-client defaults). */
export async function heapMb(metricsUrl: string): Promise<{ heapUsed: number; heapTotal: number; external: number } | undefined> {
  const text = await fetch(metricsUrl).then((r) => r.text(), () => undefined);
  if (text === undefined) return undefined;
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  return { heapUsed: value('nodejs_heap_size_used_bytes'), heapTotal: value('nodejs_heap_size_total_bytes'), external: value('nodejs_external_memory_bytes') };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size now and at its peak (VmRSS, VmHWM), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export const delay = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
