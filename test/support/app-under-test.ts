/** Mounts the real express app on a real port with scripted pushkins (no transports). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { configSchema, type HeraldConfig } from '../../src/config/schema';
import { AppRegistry } from '../../src/dispatch/app-registry';
import { InMemoryPushMemory } from '../../src/dispatch/push-memory';
import { createApp } from '../../src/http/app';
import { createLogger } from '../../src/observability/logger';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import type { Pushkin } from '../../src/pushkins/pushkin';

export interface AppUnderTest {
  url: string;
  metrics: Metrics;
  logs: string[];
  setDraining(value: boolean): void;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startAppUnderTest(pushkins: Pushkin[], http: Partial<HeraldConfig['http']> = {}): Promise<AppUnderTest> {
  const config = configSchema.parse({ http, apps: {} });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const log = createLogger({ level: 'debug', format: 'json' }, sink);
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  let draining = false;
  const state = { config, registry: new AppRegistry(pushkins) };
  const app = createApp({ state: () => state, memory: new InMemoryPushMemory(config.dedup), metrics, log, draining: () => draining });
  const server: Server = await new Promise((resolve) => {
    const s = createServer(app).listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    metrics,
    logs,
    setDraining: (v) => { draining = v; },
    async post(body, headers = {}) {
      const res = await fetch(`${url}/_matrix/push/v1/notify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
