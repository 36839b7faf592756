/**
 * The metrics listener of a clustered Herald, in the primary: each worker keeps its own
 * prom-client registry, and prom-client's AggregatorRegistry asks every worker over IPC and
 * sums what they answer, so /metrics reads like one process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from 'winston';

export interface AggregatedMetrics {
  url: string;
  close(): Promise<void>;
}

export async function startAggregatedMetrics(bindAddress: string, port: number, log: Logger): Promise<AggregatedMetrics> {
  const aggregator = new AggregatorRegistry();
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') return void res.writeHead(404).end();
    aggregator.clusterMetrics().then(
      (text) => res.writeHead(200, { 'Content-Type': aggregator.contentType }).end(text),
      (err: unknown) => {
        // A worker that is starting or dying may not answer in time: the scrape is retried anyway.
        log.warn('metrics: a worker did not answer', { error: String(err) });
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('a worker did not answer; retry\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/metrics`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** In a worker: answer the primary's metric requests from this registry. */
export function answerMetricsFromWorker(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's worker-side IPC listener (idempotent).
  new AggregatorRegistry();
}
