/**
 * How long fitting a huge message takes (contract section 5 asks for linear time).
 * Run with `npm run bench:fit`. Each case builds and fits a notification whose body is 64 KiB
 * of UTF-8 for APNs and for FCM, and prints the mean and p99 per notification in µs.
 * The warm-up is long on purpose: until the JIT settles, the slow early runs make up the p99.
 */
import { apnsAppSchema, fcmAppSchema } from '../src/config/schema';
import type { Device, PlainNotification } from '../src/notification';
import { buildApnsPush } from '../src/payload/apns';
import { buildFcmMessage } from '../src/payload/fcm';

const BODY_BYTES = 64 * 1024;
const WARMUP = 2000;
const ITERATIONS = 2000;

/** `unit` repeated to about BODY_BYTES of UTF-8. */
function bodyOf(unit: string): string {
  return unit.repeat(Math.ceil(BODY_BYTES / Buffer.byteLength(unit)));
}

const VARIANTS: Record<string, string> = {
  ascii: bodyOf('lorem ipsum "quoted"\n'),
  'multi-byte': bodyOf('é日本ß'),
  emoji: bodyOf('😀👍🏽'),
};

const device: Device = { app_id: 'bench', pushkey: 'AAAA' };
const apnsApp = apnsAppSchema.parse({ type: 'apns', certfile: 'cert.pem' });
const fcmApp = fcmAppSchema.parse({ type: 'fcm', service_account_file: 'sa.json' });

function notification(body: string): PlainNotification {
  return {
    event_id: '$event:example.org', room_id: '!room:example.org', type: 'm.room.message',
    sender: '@alice:example.org', sender_display_name: 'Alice', room_name: 'Benchmarks',
    content: { msgtype: 'm.text', body }, counts: { unread: 1 }, devices: [device],
  };
}

function measure(run: () => unknown): { meanUs: number; p99Us: number } {
  for (let i = 0; i < WARMUP; i++) run();
  const samples = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    run();
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  samples.sort();
  const mean = samples.reduce((sum, s) => sum + s, 0) / samples.length;
  return { meanUs: mean, p99Us: samples[Math.floor(samples.length * 0.99)] };
}

function main(): void {
  console.log(`fitting a ${BODY_BYTES}-byte body to 4096 bytes, ${ITERATIONS} runs each`);
  for (const [variant, body] of Object.entries(VARIANTS)) {
    const n = notification(body);
    const cases: Array<[string, () => { fit: string } | null]> = [
      ['apns', () => buildApnsPush(n, device, apnsApp)],
      ['fcm', () => buildFcmMessage(n, device, fcmApp)],
    ];
    for (const [backend, run] of cases) {
      const fit = run()?.fit;
      const { meanUs, p99Us } = measure(run);
      console.log(`${backend.padEnd(5)} ${variant.padEnd(11)} fit=${fit}  mean ${meanUs.toFixed(1)} µs  p99 ${p99Us.toFixed(1)} µs`);
    }
  }
}

main();
