/**
 * A bounded load generator for the overload tests: `total` notify requests from `concurrency`
 * parallel clients (plain fetch, one request at a time each), every answer timed.
 */
import type { E2E } from './harness';
import { notification } from './harness';
import { type DeviceRef, type ProviderName, freshDevice } from './faults-support';

export interface Timed {
  status: number;
  body: any;
  retryAfter: string | null;
  ms: number;
  devices: DeviceRef[];
}

export async function drive(e2e: E2E, provider: ProviderName, total: number, concurrency: number): Promise<Timed[]> {
  const answers: Timed[] = [];
  let started = 0;
  const client = async (): Promise<void> => {
    while (started < total) {
      started += 1;
      const devices = [freshDevice(provider)];
      const res = await e2e.notify(notification(devices.map(({ app_id, pushkey }) => ({ app_id, pushkey }))));
      answers.push({ status: res.status, body: res.body, retryAfter: res.headers.get('retry-after'), ms: res.ms, devices });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return answers;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Resolves when `check` holds, polling; rejects with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
