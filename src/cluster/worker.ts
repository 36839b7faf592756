/**
 * A cluster worker's side: its gateway asks the primary for the shared push memory (unless
 * Redis is configured), leaves the metrics listener to the primary, answers its metric
 * requests, and says when it accepts requests.
 */
import type { Gateway, GatewayOptions } from '../gateway';
import { IpcStore, processChannel } from './ipc-memory';
import { answerMetricsFromWorker } from './metrics-listener';
import type { WorkerReady } from './primary';

export function workerGatewayOptions(): Pick<GatewayOptions, 'clusterWorker' | 'siblingStore'> {
  return { clusterWorker: true, siblingStore: () => new IpcStore(processChannel()) };
}

export function announceWorker(gateway: Gateway, proc: NodeJS.Process = process): void {
  answerMetricsFromWorker(gateway.metrics.registry);
  const ready: WorkerReady = { herald: 'ready', urls: gateway.urls };
  proc.send?.(ready);
}
