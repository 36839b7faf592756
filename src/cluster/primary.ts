/**
 * `http.workers` > 1: the primary forks the workers (node:cluster shares the port among them),
 * does no HTTP work itself, keeps the shared push memory when there is no Redis, serves the
 * aggregated metrics, replaces workers that die (with backoff), and turns signals into the
 * workers' drain (SIGTERM/SIGINT) and reload (SIGHUP).
 */
import nodeCluster, { type Cluster, type Worker } from 'node:cluster';
import type { Logger } from 'winston';
import type { LoadedConfig } from '../config/load';
import { ConfigError } from '../config/problems';
import { PrimaryMemory } from './ipc-memory';
import { startAggregatedMetrics, type AggregatedMetrics } from './metrics-listener';
import { DEFAULT_RESTART_POLICY, nextRestart, type RestartPolicy } from './restart-policy';

export interface PrimaryOptions {
  loaded: LoadedConfig;
  log: Logger;
  /** Loads and validates the config file again (throws ConfigError): SIGHUP. */
  reloadConfig: () => LoadedConfig;
  cluster?: Cluster;
  restartPolicy?: RestartPolicy;
  proc?: NodeJS.Process;
}

/** Sent by a worker once its gateway accepts requests. */
export interface WorkerReady {
  herald: 'ready';
  urls: string[];
}

const isReady = (m: unknown): m is WorkerReady =>
  typeof m === 'object' && m !== null && (m as { herald?: unknown }).herald === 'ready' && Array.isArray((m as WorkerReady).urls);

interface Slot {
  index: number;
  startedAt: number;
  ready: boolean;
}

/** Runs until the workers have drained after SIGTERM/SIGINT; resolves the exit code. */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { loaded, log } = options;
  const cluster = options.cluster ?? nodeCluster;
  const proc = options.proc ?? process;
  const policy = options.restartPolicy ?? DEFAULT_RESTART_POLICY;
  const count = loaded.config.http.workers;
  const memory = new PrimaryMemory(loaded.config.dedup);
  const slots = new Map<Worker, Slot>();
  const streaks = new Array<number>(count).fill(0);
  const restartTimers = new Set<NodeJS.Timeout>();
  let phase: 'starting' | 'running' | 'stopping' = 'starting';

  let metrics: AggregatedMetrics | undefined;
  if (loaded.config.metrics.enabled) {
    try {
      metrics = await startAggregatedMetrics(loaded.config.metrics.bind_address, loaded.config.metrics.port, log);
    } catch (err) {
      log.error('cannot start the metrics listener', { error: (err as Error).message });
      return 1;
    }
  }

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let allExited: (() => void) | undefined;

  const fork = (index: number) => {
    const worker = cluster.fork();
    slots.set(worker, { index, startedAt: Date.now(), ready: false });
  };

  const onMessage = (worker: Worker, message: unknown) => {
    const reply = memory.answer(message);
    if (reply) {
      if (worker.isConnected()) worker.send(reply, () => undefined);
      return;
    }
    const slot = slots.get(worker);
    if (!isReady(message) || !slot) return;
    const replacement = slot.ready || phase === 'running';
    slot.ready = true;
    if (replacement) {
      log.info('worker replaced', { worker: worker.id, worker_pid: worker.process.pid });
    } else if ([...slots.values()].every((s) => s.ready)) {
      phase = 'running';
      log.info('herald listening', {
        urls: message.urls, workers: count, metrics: metrics?.url ?? 'disabled', apps: Object.keys(loaded.config.apps),
      });
    }
  };

  const onExit = (worker: Worker, code: number | null, signal: string | null) => {
    const slot = slots.get(worker);
    slots.delete(worker);
    if (!slot) return;
    if (phase === 'stopping') {
      if (slots.size === 0) allExited?.();
      return;
    }
    if (phase === 'starting') {
      log.error('a worker failed to start; stopping', { worker: worker.id, code, signal });
      void stop('startup failure', 1);
      return;
    }
    const { streak, delayMs } = nextRestart(policy, streaks[slot.index], Date.now() - slot.startedAt);
    streaks[slot.index] = streak;
    log.warn('worker exited; starting a replacement', { worker: worker.id, worker_pid: worker.process.pid, code, signal, restart_in_ms: delayMs });
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (phase !== 'stopping') fork(slot.index);
    }, delayMs);
    restartTimers.add(timer);
  };

  const stop = async (reason: string, code = 0) => {
    if (phase === 'stopping') return;
    phase = 'stopping';
    log.info('shutting down', { signal: reason, workers: slots.size });
    for (const timer of restartTimers) clearTimeout(timer);
    restartTimers.clear();
    const exited = new Promise<void>((resolve) => {
      allExited = resolve;
      if (slots.size === 0) resolve();
    });
    for (const worker of slots.keys()) signal(worker, 'SIGTERM');
    // Workers bound their own drain by request_timeout_ms; this bounds a worker that hangs.
    const graceMs = loaded.config.http.request_timeout_ms + 5000;
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      log.error('workers did not drain in time; killing them', { workers: slots.size });
      for (const worker of slots.keys()) signal(worker, 'SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
    detach();
    await metrics?.close();
    log.info('stopped');
    finish(forced ? 1 : code);
  };

  const onTerm = () => void stop('SIGTERM');
  const onInt = () => void stop('SIGINT');
  const onHup = () => {
    try {
      const next = options.reloadConfig();
      if (next.config.http.workers !== count) log.warn('http.workers changed: it takes effect at the next restart');
      log.info('reloading: forwarding SIGHUP to the workers', { workers: slots.size });
      for (const worker of slots.keys()) signal(worker, 'SIGHUP');
    } catch (err) {
      log.error('reload refused: the new configuration is invalid; keeping the old one', {
        problems: err instanceof ConfigError ? err.message : String(err),
      });
    }
  };
  const detach = () => {
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
    proc.off('SIGTERM', onTerm);
    proc.off('SIGINT', onInt);
    proc.off('SIGHUP', onHup);
  };

  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  proc.on('SIGTERM', onTerm);
  proc.on('SIGINT', onInt);
  proc.on('SIGHUP', onHup);
  log.info('starting workers', { workers: count, memory: loaded.config.dedup.redis_url ? 'redis' : 'primary' });
  for (let i = 0; i < count; i++) fork(i);
  return finished;
}

function signal(worker: Worker, name: NodeJS.Signals): void {
  try {
    worker.process.kill(name);
  } catch {
    // Already gone: its exit event follows.
  }
}
