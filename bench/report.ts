/** The benchmark's printed tables (Markdown, so they paste into docs/performance.md) and its target checks. */
import { cpus, loadavg } from 'node:os';
import type { PhaseResult } from './load';
import type { RawResult } from './raw';
import type { MixName } from './workload';

type Heap = { heapUsed: number; heapTotal: number; external: number };
const heap = (h: Heap | undefined) => (h ? ` (V8 heap ${f1(h.heapUsed)} used of ${f1(h.heapTotal)} MB, external ${f1(h.external)} MB)` : '');

export interface Report {
  settings: { quick: boolean; million: number; connections: number; nodeFlags: string[] };
  saturation: Array<{ mix: MixName; devicesPerNotification: number; result: PhaseResult }>;
  raw?: RawResult[];
  /** `result` from bench/paced.ts (smooth arrivals); `autocannon` from its overallRate (bursts each second). */
  latency: Array<{ rate: number; result: PhaseResult; autocannon?: PhaseResult }>;
  million?: { target: number; result: PhaseResult; samples: Array<{ completed: number; rssMb: number }>; rssAfterMb: number; heapAfter?: Heap };
  rssAfterWarmupMb?: number;
  heapAfterWarmup?: Heap;
  peakRssMb?: number;
}

/** The issue's targets (2-core machine, one gateway process, simulators alongside). */
export const TARGETS = { apnsPerSecond: 5000, fcmPerSecond: 3000, p99AtThousandMs: 20, peakRssMb: 150, rssGrowthMb: 15 };

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const pct = (cpuS: number, seconds: number) => `${Math.round((100 * cpuS) / seconds)}%`;
const failures = (r: PhaseResult) => r.non2xx + r.errors + r.timeouts;
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;

export function formatReport(report: Report): string {
  const out: string[] = [];
  const [l1, l5] = loadavg();
  out.push(
    `Herald benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ` +
      `load average at the end ${l1.toFixed(2)} / ${l5.toFixed(2)} (1 / 5 min)${report.settings.quick ? ', QUICK MODE' : ''}`,
    `${report.settings.connections} connections, pipelining 1; gateway and simulators are separate processes on this machine.` +
      (report.settings.nodeFlags.length > 0 ? ` Gateway node flags: ${report.settings.nodeFlags.join(' ')}` : ''),
    '',
  );
  if (report.saturation.length > 0) {
    out.push('### Saturation', '');
    out.push(row(['load', 'notifications/s', 'devices/s', 'p50 ms', 'p99 ms', 'gateway CPU µs/notification', 'gateway CPU', 'simulators CPU', 'load generator CPU', 'failed', 'raw upstream/s', 'gateway ÷ raw']));
    out.push(row(Array(12).fill('---')));
    for (const { mix, devicesPerNotification, result: r } of report.saturation) {
      const raw = report.raw?.find((x) => x.provider === mix);
      out.push(row([
        mix, f0(r.perSecond), f0(r.perSecond * devicesPerNotification), r.latencyMs.p50, r.latencyMs.p99,
        f0((r.cpu.gateway * 1e6) / r.ok), pct(r.cpu.gateway, r.seconds), pct(r.cpu.simulators, r.seconds), pct(r.cpu.loadGenerator, r.seconds),
        failures(r), raw ? f0(raw.perSecond) : '–', raw ? `${f1((100 * r.perSecond) / raw.perSecond)}%` : '–',
      ]));
    }
    for (const raw of report.raw ?? []) {
      out.push('', `raw ${raw.provider}: ${f0(raw.perSecond)}/s (${raw.failed} failed), simulators CPU ${pct(raw.cpu.simulators, raw.seconds)}, client CPU ${pct(raw.cpu.client, raw.seconds)}`);
    }
    out.push('');
  }
  if (report.latency.length > 0) {
    out.push('### Latency at fixed rates (mix)', '');
    out.push('Paced: requests start on an even schedule, latency measured from when each was due. autocannon overallRate: each connection sends its per-second quota back to back at the start of each second.', '');
    out.push(row(['rate/s', 'achieved/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'gateway CPU µs/notification', 'gateway CPU', 'simulators CPU', 'failed', 'autocannon p50 / p99 / p99.9 ms']));
    out.push(row(Array(11).fill('---')));
    for (const { rate, result: r, autocannon: a } of report.latency) {
      out.push(row([
        f0(rate), f0(r.perSecond), r.latencyMs.p50, r.latencyMs.p99, r.latencyMs.p999, r.latencyMs.max,
        f0((r.cpu.gateway * 1e6) / r.ok), pct(r.cpu.gateway, r.seconds), pct(r.cpu.simulators, r.seconds), failures(r),
        a ? `${a.latencyMs.p50} / ${a.latencyMs.p99} / ${a.latencyMs.p999}` : '–',
      ]));
    }
    out.push('');
  }
  out.push('### Memory (gateway process)', '');
  out.push(`RSS after warm-up: ${f1(report.rssAfterWarmupMb ?? NaN)} MB${heap(report.heapAfterWarmup)}; peak RSS (VmHWM) over the whole run: ${f1(report.peakRssMb ?? NaN)} MB`);
  const m = report.million;
  if (m) {
    const r = m.result;
    out.push(
      `${f0(r.ok)} of ${f0(m.target)} notifications answered 2xx in ${f1(r.seconds)} s (${f0(r.perSecond)}/s, ${failures(r)} failed); ` +
        `RSS after them: ${f1(m.rssAfterMb)} MB${heap(m.heapAfter)}`,
    );
    const marks = [0.1, 0.25, 0.5, 0.75].map((q) => m.samples.find((s) => s.completed >= q * m.target)).filter((s) => s !== undefined);
    out.push(`RSS along the way: ${marks.map((s) => `${f0(s.completed)}: ${f1(s.rssMb)} MB`).join(', ')}, end: ${f1(m.rssAfterMb)} MB`);
  }
  out.push('', '### Targets', '', ...checkTargets(report).map((line) => `- ${line}`));
  return out.join('\n');
}

export function checkTargets(report: Report): string[] {
  const lines: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  const sat = (mix: MixName) => report.saturation.find((s) => s.mix === mix)?.result.perSecond;
  const apns = sat('apns');
  const fcm = sat('fcm');
  if (apns !== undefined) lines.push(`APNs saturation ≥ ${f0(TARGETS.apnsPerSecond)}/s: ${f0(apns)}/s — ${verdict(apns >= TARGETS.apnsPerSecond)}`);
  if (fcm !== undefined) lines.push(`FCM saturation ≥ ${f0(TARGETS.fcmPerSecond)}/s: ${f0(fcm)}/s — ${verdict(fcm >= TARGETS.fcmPerSecond)}`);
  const at1000 = report.latency.find((l) => l.rate === 1000)?.result;
  if (at1000) lines.push(`p99 ≤ ${TARGETS.p99AtThousandMs} ms at 1,000/s (paced): ${at1000.latencyMs.p99} ms — ${verdict(at1000.latencyMs.p99 <= TARGETS.p99AtThousandMs)}`);
  if (report.peakRssMb !== undefined) lines.push(`peak RSS ≤ ${TARGETS.peakRssMb} MB: ${f1(report.peakRssMb)} MB — ${verdict(report.peakRssMb <= TARGETS.peakRssMb)}`);
  const m = report.million;
  if (m) {
    // Growth is measured from a quarter of the way, once dedup memory and the JIT have settled.
    const from = m.samples.find((s) => s.completed >= 0.25 * m.target);
    const complete = m.result.ok >= m.target * 0.99;
    if (from) {
      const growth = m.rssAfterMb - from.rssMb;
      lines.push(
        `no RSS growth over ${f0(m.target)} (≤ ${TARGETS.rssGrowthMb} MB from ${f0(from.completed)} to the end): ${growth >= 0 ? '+' : ''}${f1(growth)} MB — ` +
          `${verdict(growth <= TARGETS.rssGrowthMb && complete)}${complete ? '' : ' (the run stopped short)'}`,
      );
    }
  }
  return lines;
}
