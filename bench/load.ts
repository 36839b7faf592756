/**
 * One measured phase: autocannon posting a workload to the gateway (several connections,
 * pipelining 1), with the CPU both server processes used meanwhile read from /proc.
 */
import autocannon from 'autocannon';
import { cpuSeconds } from './processes';
import type { Workload } from './workload';

export const NOTIFY_PATH = '/_matrix/push/v1/notify';

export interface PhaseOptions {
  url: string;
  workload: Workload;
  connections: number;
  /** Seconds; with `amount` set, the phase ends at whichever comes first. */
  durationS: number;
  amount?: number;
  /** Requests per second across all connections; unset = as fast as the gateway answers. */
  rate?: number;
  /** Processes whose CPU time is measured over the phase. */
  pids: { gateway: number; simulators: number };
  /** Called every `sampleEveryS` seconds during the phase with the responses so far. */
  onSample?: (completed: number) => void;
  sampleEveryS?: number;
}

export interface PhaseResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p99: number; p999: number; max: number };
  /** CPU seconds used during the phase. */
  cpu: { gateway: number; simulators: number; loadGenerator: number };
}

export async function runPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { workload, pids } = options;
  const before = { gateway: cpuSeconds(pids.gateway), simulators: cpuSeconds(pids.simulators), self: process.cpuUsage() };
  const started = process.hrtime.bigint();
  // Without a callback autocannon returns its Instance made thenable; the typings only say Promise.
  const tracker = autocannon({
    url: options.url + NOTIFY_PATH,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationS,
    ...(options.amount !== undefined ? { amount: options.amount } : {}),
    // autocannon's correction assumes an interval of ceil(1/rate) ms (seconds meant) and pads the
    // histogram with made-up smaller values; bench/paced.ts measures without omission instead.
    ...(options.rate !== undefined ? { overallRate: options.rate, ignoreCoordinatedOmission: true } : {}),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: NOTIFY_PATH,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: workload.next() }),
      },
    ],
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  let completed = 0;
  tracker.on('response', () => completed++);
  // autocannon ignores `duration` once `amount` is set: the time limit is ours.
  const limit = setTimeout(() => tracker.stop(), options.durationS * 1000 + 1000);
  const sampler = options.onSample && setInterval(() => options.onSample!(completed), (options.sampleEveryS ?? 10) * 1000);
  const result = await tracker;
  clearTimeout(limit);
  if (sampler) clearInterval(sampler);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const self = process.cpuUsage(before.self);
  const ok = result['2xx'];
  return {
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    perSecond: ok / seconds,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, p999: result.latency.p99_9, max: result.latency.max },
    cpu: {
      gateway: cpuSeconds(pids.gateway) - before.gateway,
      simulators: cpuSeconds(pids.simulators) - before.simulators,
      loadGenerator: (self.user + self.system) / 1e6,
    },
  };
}
