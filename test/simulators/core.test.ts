import { SimulatorCore } from '../../src/simulators/core';
import { ReceivedPush } from '../../src/simulators/record';

const record = (token: string): ReceivedPush => ({
  provider: 'apns',
  token,
  scenario: 'ok',
  method: 'POST',
  path: `/3/device/${token}`,
  headers: {},
  body: {},
  bytes: 2,
  payloadBytes: 2,
  receivedAt: Date.now(),
});

describe('SimulatorCore', () => {
  it('keeps the latest records within maxRecords plus a small batch, and counts every answer', () => {
    const core = new SimulatorCore('apns', () => undefined, 20);
    for (let i = 0; i < 100; i++) {
      const push = record(`t${i}`);
      core.arrived(push);
      core.answered(push, 200);
    }
    expect(core.received.length).toBeGreaterThanOrEqual(20);
    expect(core.received.length).toBeLessThan(22);
    expect(core.received.at(-1)?.token).toBe('t99');
    expect(core.answeredCount).toBe(100);
    core.reset();
    expect([core.received.length, core.answeredCount]).toEqual([0, 0]);
  });

  it('logs one line per answer with a shortened token and no plaintext content', () => {
    const lines: string[] = [];
    const core = new SimulatorCore('fcm', (line) => lines.push(line));
    const push = { ...record('0123456789abcdef'), provider: 'fcm' as const, body: { message: { data: { body: 'private' } } } };
    core.arrived(push);
    core.answered(push, 404, 'UNREGISTERED');
    expect(lines).toEqual(['[fcm] 404 UNREGISTERED token=01234567…(16) bytes=2']);
  });

  it('waitForPushes resolves once enough pushes are answered, and times out otherwise', async () => {
    const core = new SimulatorCore('apns', () => undefined);
    const waiting = core.waitForPushes(2, 1000);
    for (const token of ['a', 'b']) {
      const push = record(token);
      core.arrived(push);
      core.answered(push, 200);
    }
    expect((await waiting).map((push) => push.token)).toEqual(['a', 'b']);
    await expect(core.waitForPushes(3, 20)).rejects.toThrow(/2 of 3 pushes/);
  });
});
