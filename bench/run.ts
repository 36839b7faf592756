/**
 * `npm run bench`: the gateway's throughput, latency, CPU and memory against the local
 * simulators, each in its own process on loopback, driven by autocannon. See docs/performance.md.
 *
 *   npm run bench                      everything (about 8 minutes with the default million)
 *   npm run bench -- --quick           short phases and 20,000 for the "million" (development)
 *   npm run bench -- --phases saturation,raw     only some phases (saturation, latency, million, raw)
 *   npm run bench -- --mixes apns,fcm  only these loads in the saturation phase (apns, fcm, mix)
 *   npm run bench -- --profile DIR     the gateway runs with --cpu-prof, profile written to DIR
 *   npm run bench -- --node-flags='--max-semi-space-size=4'   V8/node flags for the gateway process
 *   BENCH_MILLION=200000 npm run bench  a smaller (or larger) memory run
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runPhase, type PhaseResult } from './load';
import { runPaced } from './paced';
import { delay, heapMb, memoryMb, startStack, type Stack } from './processes';
import { runRaw, type RawResult } from './raw';
import { formatReport, type Report } from './report';
import { createWorkload, type MixName } from './workload';

const PHASES = ['saturation', 'latency', 'million', 'raw'] as const;
type Phase = (typeof PHASES)[number];

interface Settings {
  quick: boolean;
  phases: Set<Phase>;
  profileDir?: string;
  nodeFlags: string[];
  mixes: MixName[];
  saturationS: number;
  rateS: number;
  million: number;
  connections: number;
}

function settingsFrom(argv: string[], env: NodeJS.ProcessEnv): Settings {
  const { values } = parseArgs({ args: argv, options: { quick: { type: 'boolean' }, phases: { type: 'string' }, mixes: { type: 'string' }, profile: { type: 'string' }, 'node-flags': { type: 'string' } } });
  const quick = values.quick === true;
  const phases = new Set((values.phases ?? PHASES.join(',')).split(',') as Phase[]);
  for (const p of phases) if (!PHASES.includes(p)) throw new Error(`unknown phase ${p}; phases: ${PHASES.join(', ')}`);
  const million = Number(env.BENCH_MILLION ?? (quick ? 20_000 : 1_000_000));
  if (!(Number.isInteger(million) && million > 0)) throw new Error('BENCH_MILLION must be a positive integer');
  return {
    quick,
    phases,
    nodeFlags: (values['node-flags'] ?? '').split(' ').filter((f) => f !== ''),
    mixes: (values.mixes ?? 'apns,fcm,mix').split(',') as MixName[],
    profileDir: values.profile === undefined ? undefined : resolve(values.profile),
    saturationS: quick ? 4 : 15,
    rateS: quick ? 4 : 15,
    million,
    connections: 50,
  };
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.argv.slice(2), process.env);
  const nodeFlags = [...settings.nodeFlags, ...(settings.profileDir ? ['--cpu-prof', '--cpu-prof-dir', settings.profileDir] : [])];
  const stack = await startStack({ nodeFlags });
  const report: Report = {
    settings: { quick: settings.quick, million: settings.million, connections: settings.connections, nodeFlags: settings.nodeFlags },
    saturation: [], latency: [],
  };
  const stopOnSignal = () => void stack.stop().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  try {
    await measure(stack, settings, report);
  } finally {
    report.peakRssMb = memoryMb(stack.gateway.pid).peak;
    await stack.stop();
  }
  console.log(formatReport(report));
}

async function measure(stack: Stack, s: Settings, report: Report): Promise<void> {
  const pids = { gateway: stack.gateway.pid, simulators: stack.simulators.pid };
  const phase = (mix: MixName, durationS: number, extra: { rate?: number; amount?: number } = {}) =>
    runPhase({ url: stack.gatewayUrl, workload: createWorkload(mix), connections: s.connections, durationS, pids, ...extra });
  const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

  progress('warm-up (JIT, connections, OAuth token)');
  await phase('mix', s.quick ? 2 : 5);
  report.rssAfterWarmupMb = memoryMb(stack.gateway.pid).rss;
  report.heapAfterWarmup = await heapMb(stack.metricsUrl);

  if (s.phases.has('saturation') || s.phases.has('raw')) {
    for (const mix of s.mixes) {
      progress(`saturation: ${mix}`);
      const result = await phase(mix, s.saturationS);
      report.saturation.push({ mix, devicesPerNotification: createWorkload(mix).devicesPerNotification, result });
      await delay(500);
    }
  }
  if (s.phases.has('raw')) {
    const raw: RawResult[] = [];
    for (const provider of ['apns', 'fcm'] as const) {
      progress(`raw upstream: ${provider}`);
      raw.push(await runRaw({ provider, apnsUrl: stack.apnsUrl, fcmUrl: stack.fcmUrl, concurrency: s.connections, durationS: s.saturationS, simulatorsPid: pids.simulators }));
    }
    report.raw = raw;
  }
  if (s.phases.has('latency')) {
    for (const rate of [500, 1000, 2000]) {
      progress(`fixed rate ${rate}/s (mix): autocannon overallRate, then paced`);
      const bursts = await phase('mix', s.rateS, { rate });
      await delay(500);
      const paced = await runPaced({ url: stack.gatewayUrl, workload: createWorkload('mix'), rate, durationS: s.rateS, maxSockets: 200, pids });
      report.latency.push({ rate, result: paced, autocannon: bursts });
      await delay(500);
    }
  }
  if (s.phases.has('million')) {
    progress(`${s.million} notifications (mix, as fast as answered), RSS sampled as it goes`);
    const samples: Array<{ completed: number; rssMb: number }> = [];
    const sample = (completed: number) => samples.push({ completed, rssMb: memoryMb(stack.gateway.pid).rss });
    // Bounded in time as well: at least 300/s or the phase stops short (and says so).
    const limitS = Math.max(60, Math.ceil(s.million / 300));
    const result: PhaseResult = await runPhase({
      url: stack.gatewayUrl, workload: createWorkload('mix'), connections: s.connections, durationS: limitS, amount: s.million, pids,
      onSample: (completed) => {
        sample(completed);
        progress(`  ${completed} answered, gateway RSS ${samples.at(-1)!.rssMb.toFixed(0)} MB`);
      },
      sampleEveryS: s.quick ? 1 : 10,
    });
    report.million = { target: s.million, result, samples, rssAfterMb: memoryMb(stack.gateway.pid).rss, heapAfter: await heapMb(stack.metricsUrl) };
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
