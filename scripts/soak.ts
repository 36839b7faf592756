/**
 * `npm run soak`: a long mixed load at a moderate fixed rate against the gateway (simulators
 * and gateway as separate processes, as in `npm run bench`; requests paced evenly, latency
 * measured from when each was due, see bench/paced.ts), reported window by window: rate
 * achieved, latency, failures, and the gateway's RSS, so that a leak or a slow drift shows.
 *
 *   npm run soak                                   10 minutes at 500 notifications/s
 *   npm run soak -- --minutes 2 --rate 1000        shorter, faster
 *   npm run soak -- --out soak.json                also writes every window as JSON
 *
 * The soak mix is the benchmark's mix plus 2% dead tokens (rejected, then remembered as dead).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runPaced } from '../bench/paced';
import { memoryMb, startStack } from '../bench/processes';
import { createWorkload } from '../bench/workload';

const WINDOW_S = 30;
const MAX_SOCKETS = 200;

interface Window {
  endsAtS: number;
  perSecond: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  failed: number;
  rssMb: number;
  simulatorsRssMb: number;
}

function settings(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { minutes: { type: 'string' }, rate: { type: 'string' }, out: { type: 'string' } } });
  const minutes = Number(values.minutes ?? 10);
  const rate = Number(values.rate ?? 500);
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error('--minutes must be between 0 and 1440');
  if (!(Number.isInteger(rate) && rate > 0)) throw new Error('--rate must be a positive integer');
  return { minutes, rate, out: values.out };
}

async function main(): Promise<void> {
  const s = settings(process.argv.slice(2));
  const stack = await startStack();
  const pids = { gateway: stack.gateway.pid, simulators: stack.simulators.pid };
  const workload = createWorkload('soak');
  const windows: Window[] = [];
  const startedAt = Date.now();
  const startRss = memoryMb(pids.gateway).rss;
  process.once('SIGINT', () => void stack.stop().then(() => process.exit(130)));
  console.log(`soak: ${s.minutes} min at ${s.rate}/s (soak mix, paced, up to ${MAX_SOCKETS} sockets), ${WINDOW_S} s windows; load average ${loadavg()[0].toFixed(2)}`);
  console.log('| t (s) | achieved/s | p50 ms | p99 ms | p99.9 ms | max ms | failed | gateway RSS MB | simulators RSS MB |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  let cpuGateway = 0;
  let cpuSimulators = 0;
  let answered = 0;
  try {
    const windowsWanted = Math.max(1, Math.round((s.minutes * 60) / WINDOW_S));
    for (let i = 0; i < windowsWanted; i++) {
      const r = await runPaced({ url: stack.gatewayUrl, workload, maxSockets: MAX_SOCKETS, durationS: WINDOW_S, rate: s.rate, pids });
      cpuGateway += r.cpu.gateway;
      cpuSimulators += r.cpu.simulators;
      answered += r.ok;
      const w: Window = {
        endsAtS: Math.round((Date.now() - startedAt) / 1000), perSecond: r.perSecond, p50: r.latencyMs.p50, p99: r.latencyMs.p99,
        p999: r.latencyMs.p999, max: r.latencyMs.max, failed: r.non2xx + r.errors + r.timeouts,
        rssMb: memoryMb(pids.gateway).rss, simulatorsRssMb: memoryMb(pids.simulators).rss,
      };
      windows.push(w);
      console.log(`| ${w.endsAtS} | ${Math.round(w.perSecond)} | ${w.p50} | ${w.p99} | ${w.p999} | ${w.max} | ${w.failed} | ${w.rssMb.toFixed(1)} | ${w.simulatorsRssMb.toFixed(1)} |`);
    }
  } finally {
    const peak = memoryMb(pids.gateway).peak;
    await stack.stop();
    summarise(windows, { startRss, peak, answered, cpuGateway, cpuSimulators });
    if (s.out) writeFileSync(s.out, JSON.stringify({ settings: s, windows }, null, 2));
  }
}

function summarise(windows: Window[], totals: { startRss: number; peak: number; answered: number; cpuGateway: number; cpuSimulators: number }): void {
  if (windows.length === 0) return;
  const worstP99 = Math.max(...windows.map((w) => w.p99));
  const failed = windows.reduce((sum, w) => sum + w.failed, 0);
  // Drift: the last windows against the ones just after warm-up (the first window fills caches and dedup memory).
  const early = windows[Math.min(1, windows.length - 1)].rssMb;
  const late = windows.at(-1)!.rssMb;
  console.log(
    `\nsummary: ${totals.answered.toLocaleString('en-US')} notifications answered 2xx, ${failed} failed; worst window p99 ${worstP99} ms; ` +
      `gateway RSS ${totals.startRss.toFixed(1)} MB at start, ${early.toFixed(1)} MB after the second window, ${late.toFixed(1)} MB at the end ` +
      `(peak ${totals.peak.toFixed(1)} MB); CPU per notification: gateway ${Math.round((totals.cpuGateway * 1e6) / totals.answered)} µs, ` +
      `simulators ${Math.round((totals.cpuSimulators * 1e6) / totals.answered)} µs; load average at the end ${loadavg()[0].toFixed(2)}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
