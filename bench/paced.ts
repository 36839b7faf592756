/**
 * A smooth open-loop load at a fixed rate: requests are started on schedule (every millisecond
 * the ones now due), whatever the answers do, and each latency is measured from the moment its
 * request was due, so a stalled gateway cannot hide its queue (no coordinated omission).
 *
 * Why besides autocannon's `overallRate`: autocannon gives each connection a quota per second
 * and sends it back to back at the start of each second, all connections together, so "1,000/s"
 * arrives as one burst a second and its latencies measure how that burst queues.
 */
import http from 'node:http';
import { NOTIFY_PATH, type PhaseResult } from './load';
import { cpuSeconds } from './processes';
import type { Workload } from './workload';

export interface PacedOptions {
  url: string;
  workload: Workload;
  rate: number;
  durationS: number;
  /** Sockets the client may open; requests beyond them wait in the agent (and that wait counts). */
  maxSockets: number;
  pids: { gateway: number; simulators: number };
}

export async function runPaced(options: PacedOptions): Promise<PhaseResult> {
  const { workload, pids } = options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const target = new URL(options.url + NOTIFY_PATH);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  const before = { gateway: cpuSeconds(pids.gateway), simulators: cpuSeconds(pids.simulators), self: process.cpuUsage() };
  const start = performance.now();
  const total = Math.round(options.rate * options.durationS);
  let sent = 0;
  let open = 0;

  const send = (dueAt: number) => {
    const body = workload.next();
    open++;
    const req = http.request(target, { method: 'POST', agent, timeout: 30_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(performance.now() - dueAt);
        if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) ok++;
        else non2xx++;
        open--;
      });
    });
    req.on('timeout', () => {
      timeouts++;
      req.destroy();
    });
    req.on('error', () => {
      errors++;
      open--;
    });
    req.end(body);
  };

  await new Promise<void>((done) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * options.rate));
      for (; sent < due; sent++) send(start + (sent * 1000) / options.rate);
      if (sent >= total) {
        clearInterval(tick);
        done();
      }
    }, 1);
  });
  // Bounded wait for the last answers.
  const until = Date.now() + 30_000;
  while (open > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  agent.destroy();
  const seconds = (performance.now() - start) / 1000;
  const self = process.cpuUsage(before.self);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  return {
    requests: sent, ok, non2xx, errors, timeouts, seconds, perSecond: ok / seconds,
    latencyMs: { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: round(latencies.at(-1) ?? NaN) },
    cpu: {
      gateway: cpuSeconds(pids.gateway) - before.gateway,
      simulators: cpuSeconds(pids.simulators) - before.simulators,
      loadGenerator: (self.user + self.system) / 1e6,
    },
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
