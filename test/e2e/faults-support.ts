/**
 * Shared by the fault tests: a storm of notify requests against one provider, and the honesty
 * check every storm must pass — each device ends delivered, rejected or in a 502/503 answer, and
 * a 200 is only ever given for a device the simulator itself answered 200.
 */
import { startApnsSimulator } from '../../src/simulators/apns';
import type { Simulator } from '../../src/simulators/core';
import { startFcmSimulator } from '../../src/simulators/fcm';
import type { Faults } from '../../src/simulators/faults';
import type { ReceivedPush } from '../../src/simulators/record';
import { TEAM_ID } from '../simulators/fixtures';
import { ANDROID, IOS, apnsPushkey, notification, type E2E } from './harness';

export type ProviderName = 'apns' | 'fcm';

export interface DeviceRef {
  app_id: string;
  pushkey: string;
  /** The token the simulator sees for this pushkey. */
  token: string;
}

export interface StormAnswer {
  status: number;
  body: any;
  ms: number;
  devices: DeviceRef[];
}

let serial = 0;

/** A fresh device (unique token, never deduplicated) for the provider; `word` picks its scenario. */
export function freshDevice(provider: ProviderName, word = 'ok'): DeviceRef {
  serial += 1;
  if (provider === 'apns') {
    const pushkey = apnsPushkey(word, 0x4000_0000 + serial);
    return { app_id: IOS, pushkey, token: Buffer.from(pushkey, 'base64').toString('hex') };
  }
  const pushkey = `${word}-fault-${process.pid}-${serial}`;
  return { app_id: ANDROID, pushkey, token: pushkey };
}

export function simulatorOf(e2e: E2E, provider: ProviderName) {
  return provider === 'apns' ? e2e.apns : e2e.fcm;
}

/** `requests` concurrent notify requests of `devicesEach` fresh devices each. */
export async function storm(e2e: E2E, provider: ProviderName, requests: number, devicesEach: number): Promise<StormAnswer[]> {
  return Promise.all(
    Array.from({ length: requests }, async () => {
      const devices = Array.from({ length: devicesEach }, () => freshDevice(provider));
      const res = await e2e.notify(notification(devices.map(({ app_id, pushkey }) => ({ app_id, pushkey }))));
      return { ...res, devices };
    }),
  );
}

/**
 * Every answer is 200, 502 or 503 with the right body; a 200 means every device not rejected was
 * answered 200 by the simulator. Returns the statuses seen, for the caller's own expectations.
 */
export function expectHonest(answers: StormAnswer[], received: ReceivedPush[]): number[] {
  const delivered = new Set(received.filter((r) => r.status === 200).map((r) => r.token));
  for (const answer of answers) {
    expect([200, 502, 503]).toContain(answer.status);
    if (answer.status === 200) {
      const rejected = new Set<string>(answer.body.rejected);
      const undelivered = answer.devices.filter((d) => !rejected.has(d.pushkey) && !delivered.has(d.token));
      expect(undelivered).toEqual([]);
    } else {
      expect(answer.body.errcode).toBe(answer.status === 502 ? 'M_UNKNOWN' : 'M_LIMIT_EXCEEDED');
    }
  }
  return answers.map((a) => a.status);
}

/** The gateway's own count of notify requests still open. */
export async function requestsInFlight(e2e: E2E): Promise<number> {
  const value = await e2e.gateway.metrics.requestsInFlight.get();
  return value.values[0]?.value ?? 0;
}

/** One fresh device, one request: the provider is reachable again when this answers 200. */
export async function deliversOne(e2e: E2E, provider: ProviderName): Promise<{ status: number; delivered: boolean }> {
  const device = freshDevice(provider);
  const res = await e2e.notify(notification([{ app_id: device.app_id, pushkey: device.pushkey }]));
  const delivered = simulatorOf(e2e, provider).received.some((r) => r.token === device.token && r.status === 200);
  return { status: res.status, delivered };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Stops the provider's simulator and starts a new one on the same port (same keys and accounts,
 * as the harness builds them), so the gateway must notice and reconnect by itself.
 * The caller closes the returned simulator; `faults` are active before the first connection.
 */
export async function restartSimulator(e2e: E2E, provider: ProviderName, faults: Faults = {}): Promise<Simulator> {
  const old = simulatorOf(e2e, provider);
  const port = old.port;
  await old.close();
  const { material } = e2e;
  if (provider === 'apns') {
    const sim = await startApnsSimulator({
      port,
      tls: material.server,
      clientCa: material.ca.certPem,
      providerKeys: [{ keyId: material.apnsKey.keyId, teamId: TEAM_ID, keyPem: material.apnsKey.publicKeyPem }],
    });
    sim.setFaults(faults);
    e2e.apns = sim;
    return sim;
  }
  const sim = await startFcmSimulator({ port, tls: material.server, serviceAccounts: [material.serviceAccount] });
  sim.setFaults(faults);
  e2e.fcm = sim;
  return sim;
}
