import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { runPrimary } from '../cluster/primary';
import { announceWorker, workerGatewayOptions } from '../cluster/worker';
import { loadConfig } from '../config/load';
import { ConfigError } from '../config/problems';
import { startGateway } from '../gateway';
import { createLogger } from '../observability/logger';
import type { Command } from './command';
import { configPath } from './config-path';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the push gateway',
  usage: `Usage: herald serve [--config FILE] [--host H] [--port P]

Runs the gateway. FILE defaults to $HERALD_CONFIG or ./apps.config.json.
--host and --port override the config's http.bind_addresses and http.port.
Signals: SIGTERM/SIGINT make /health answer 503, stop accepting connections, finish the
requests in flight (within http.request_timeout_ms + 1 s), close provider sessions and exit 0.
SIGHUP reloads the config: apps, proxy and request limits apply to new requests while requests
in flight finish on the old ones; a bad new config is refused (logged) and the old one stays;
listeners (http.bind_addresses, http.port, http.workers), log, metrics and dedup change only
on restart (a warning names them).
With http.workers > 1 it forks that many worker processes sharing the port (node:cluster);
the primary serves the aggregated /metrics, replaces a worker that dies, and passes the
signals on. Workers share dedup and dead-key memory through the primary, or through Redis
when dedup.redis_url is set (docs/scaling.md).`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } } });
    const file = configPath(values.config, io);
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      io.stderr.write(`herald serve: --port must be a port number, got ${values.port}\n`);
      return 2;
    }
    let loaded;
    try {
      loaded = loadConfig(file, io.env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      io.stderr.write(`herald serve: refusing to start.\n${err.message}\n`);
      return 1;
    }
    const baseLog = createLogger(loaded.config.log);
    if (cluster.isPrimary && loaded.config.http.workers > 1) {
      return runPrimary({ loaded, log: baseLog.child({ pid: process.pid, role: 'primary' }), reloadConfig: () => loadConfig(file, io.env) });
    }
    const worker = cluster.isWorker;
    const log = worker ? baseLog.child({ worker: cluster.worker?.id, pid: process.pid }) : baseLog;
    let gateway;
    try {
      gateway = await startGateway(loaded, { log, env: io.env, host: values.host, port, ...(worker ? workerGatewayOptions() : {}) });
    } catch (err) {
      // e.g. EADDRINUSE: an operator error, answered with a message rather than a stack trace.
      io.stderr.write(`herald serve: cannot start: ${(err as Error).message}\n`);
      // Leaving the IPC channel deliberately lets the worker end with this exit code.
      if (worker) cluster.worker?.disconnect();
      return 1;
    }
    if (worker) announceWorker(gateway);
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info('shutting down', { signal });
        void gateway.shutdown().then(() => {
          // The IPC channel would keep a worker alive: leaving it deliberately lets the process end.
          if (worker && process.connected) cluster.worker?.disconnect();
          resolve(0);
        });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      process.on('SIGHUP', () => {
        if (stopping) return;
        log.info('reloading the configuration', { signal: 'SIGHUP', file });
        try {
          gateway.reload(loadConfig(file, io.env)).catch((err: unknown) => log.error('reload failed; keeping the old configuration', { error: String(err) }));
        } catch (err) {
          log.error('reload refused: the new configuration is invalid; keeping the old one', {
            problems: err instanceof ConfigError ? err.message : String(err),
          });
        }
      });
    });
  },
};
