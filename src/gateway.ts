/**
 * Wires a loaded config into a running gateway: pushkins, registry, memory, the request listener (notify fast path + express),
 * its listeners and the metrics listener. Owns reload (SIGHUP) and graceful shutdown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { LoadedConfig } from './config/load';
import { appsLosingCertificate, settingsNeedingRestart } from './config/reload';
import { AppRegistry } from './dispatch/app-registry';
import { choosePushMemory } from './dispatch/choose-memory';
import type { PushMemory } from './dispatch/push-memory';
import type { SharedStore } from './dispatch/shared-push-memory';
import { createApp, type GatewayState } from './http/app';
import { createNotifyServer } from './http/server';
import { createMetrics, type Metrics } from './observability/metrics';
import { createPushkins } from './pushkins/factory';

export interface GatewayOptions {
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Overrides of the config's http section from the command line. */
  host?: string;
  port?: number;
  /** Injected for tests; else chosen from `dedup` (Redis, `siblingStore`, or in-process). */
  memory?: PushMemory;
  /** A cluster worker's store shared with its siblings through the primary (used without Redis). */
  siblingStore?: () => SharedStore;
  /** A cluster worker: the primary serves the aggregated metrics, so no metrics listener here. */
  clusterWorker?: boolean;
  metricsRegistry?: Registry;
}

export interface Gateway {
  /** `http://host:port` of each listener. */
  urls: string[];
  metricsUrl?: string;
  metrics: Metrics;
  reload(next: LoadedConfig): Promise<void>;
  shutdown(graceMs?: number): Promise<void>;
}

export async function startGateway(loaded: LoadedConfig, options: GatewayOptions): Promise<Gateway> {
  const { log } = options;
  const env = options.env ?? process.env;
  const metrics = createMetrics(options.metricsRegistry ?? new Registry());
  const build = (l: LoadedConfig): GatewayState => ({
    config: l.config,
    registry: new AppRegistry(createPushkins(l.config, { log, metrics, proxy: l.config.proxy ?? env.HTTPS_PROXY ?? env.https_proxy })),
  });
  let state = build(loaded);
  let draining = false;
  /** Registries replaced by a reload, closed once their requests are done (or at shutdown). */
  const retired = new Set<AppRegistry>();
  const memory = options.memory ?? choosePushMemory(loaded.config.dedup, { log, metrics, siblingStore: options.siblingStore });
  const app = createApp({ state: () => state, memory, metrics, log, draining: () => draining });

  const { http } = loaded.config;
  const hosts = options.host !== undefined ? [options.host] : http.bind_addresses;
  const port = options.port ?? http.port;
  // A Redis client would keep the process alive after a failed start: close the memory then.
  const closingMemoryOnFailure = (err: unknown) => memory.close().then(() => Promise.reject(err));
  const servers = await Promise.all(hosts.map((host) => listen(createNotifyServer(app, http), host, port))).catch(closingMemoryOnFailure);
  const urls = servers.map((s) => urlOf(s));

  let metricsServer: Server | undefined;
  if (loaded.config.metrics.enabled && !options.clusterWorker) {
    metricsServer = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
        metrics.registry.metrics().then(
          (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      } else res.writeHead(404).end();
    });
    await listen(metricsServer, loaded.config.metrics.bind_address, loaded.config.metrics.port).catch(closingMemoryOnFailure);
  }
  log.info(options.clusterWorker ? 'worker listening' : 'herald listening', { urls, metrics: metricsServer ? urlOf(metricsServer) + '/metrics' : 'disabled', apps: Object.keys(loaded.config.apps) });

  return {
    urls,
    metricsUrl: metricsServer ? urlOf(metricsServer) + '/metrics' : undefined,
    metrics,
    async reload(next) {
      if (draining) {
        log.warn('reload ignored: shutting down', { file: next.file });
        return;
      }
      const previous = state;
      try {
        state = build(next);
      } catch (err) {
        // Valid on paper but unusable (e.g. a key the provider library refuses): keep serving.
        log.error('reload refused: the new configuration cannot be used; keeping the old one', { file: next.file, problems: String(err) });
        return;
      }
      for (const app of appsLosingCertificate(previous.config, next.config)) metrics.apnsCertificateExpiry.remove({ app });
      log.info('configuration reloaded', { file: next.file, apps: Object.keys(next.config.apps) });
      const ignored = settingsNeedingRestart(loaded.config, next.config);
      if (ignored.length > 0) log.warn('configuration reloaded, but these settings change only on restart', { settings: ignored });
      // Requests already dispatched keep the old pushkins until their deadline has passed.
      retired.add(previous.registry);
      setTimeout(() => {
        if (retired.delete(previous.registry)) void previous.registry.closeAll();
      }, previous.config.http.request_timeout_ms).unref();
    },
    async shutdown(graceMs = state.config.http.request_timeout_ms + 1000) {
      draining = true;
      log.info('draining', { grace_ms: graceMs });
      await Promise.race([Promise.all(servers.map(closeServer)), delay(graceMs)]);
      for (const s of servers) s.closeAllConnections();
      // Sessions retired by a reload too: their open connections would keep the process alive.
      await Promise.all([state.registry, ...retired].map((r) => r.closeAll()));
      retired.clear();
      await memory.close();
      if (metricsServer) {
        metricsServer.closeAllConnections();
        await closeServer(metricsServer);
      }
      log.info('stopped');
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function urlOf(server: Server): string {
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
