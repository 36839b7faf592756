import { Writable } from 'node:stream';
import { IpcStore, PrimaryMemory, type MemoryRequest, type WorkerChannel } from '../../src/cluster/ipc-memory';
import { SharedPushMemory } from '../../src/dispatch/shared-push-memory';
import { createLogger } from '../../src/observability/logger';

/** Workers wired to one PrimaryMemory through in-process channels; the primary can go silent. */
function cluster(now: () => number = Date.now) {
  const primary = new PrimaryMemory({ ttl_seconds: 60, max_entries: 100 }, now);
  const state = { silent: false, broken: false, requests: [] as MemoryRequest[] };
  const channel = (): WorkerChannel => {
    const listeners = new Set<(m: unknown) => void>();
    return {
      send(message, callback) {
        if (state.broken) return callback(new Error('channel closed'));
        state.requests.push(message);
        callback(null);
        // Replies come back asynchronously, as over a real IPC channel.
        if (!state.silent) setImmediate(() => listeners.forEach((l) => l(primary.answer(message))));
      },
      onMessage(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
  };
  return { primary, state, channel };
}

function worker(channel: WorkerChannel, timeoutMs = 50) {
  const logs: string[] = [];
  const fallbacks: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const memory = new SharedPushMemory({
    store: new IpcStore(channel, timeoutMs),
    settings: { ttl_seconds: 60, max_entries: 100 },
    log: createLogger({ level: 'debug', format: 'json' }, sink),
    countFallback: (op) => fallbacks.push(op),
  });
  return { memory, logs, fallbacks };
}

describe('cluster push memory over IPC', () => {
  test('what one worker learnt, another worker knows; only hashed keys cross the channel', async () => {
    const c = cluster();
    const a = worker(c.channel());
    const b = worker(c.channel());
    await a.memory.markDelivered('app', 'secret-pushkey', '$e1');
    await a.memory.markDead('app', 'dead-pushkey');
    expect(await b.memory.wasDelivered('app', 'secret-pushkey', '$e1')).toBe(true);
    expect(await b.memory.wasDelivered('app', 'secret-pushkey', '$e2')).toBe(false);
    expect(await b.memory.isDead('app', 'dead-pushkey')).toBe(true);
    expect(await b.memory.isDead('app', 'secret-pushkey')).toBe(false);
    expect(JSON.stringify(c.state.requests)).not.toContain('pushkey');
    expect(a.fallbacks).toEqual([]);
    expect(b.fallbacks).toEqual([]);
  });

  test('a silent primary costs one bounded wait per call; the worker falls back to its own memory', async () => {
    const c = cluster();
    const a = worker(c.channel(), 50);
    c.state.silent = true;
    const started = Date.now();
    expect(await a.memory.isDead('app', 'k')).toBe(false);
    await a.memory.markDead('app', 'k');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await a.memory.isDead('app', 'k')).toBe(true); // answered locally, no wait
    expect(a.fallbacks).toEqual(['is_dead', 'mark_dead']);
    expect(a.logs.filter((l) => l.includes('shared store unavailable'))).toHaveLength(1);
    c.state.silent = false;
    expect(await a.memory.isDead('app', 'other')).toBe(false);
    expect(a.logs.filter((l) => l.includes('answering again'))).toHaveLength(1);
  });

  test('a closed channel fails at once', async () => {
    const c = cluster();
    const a = worker(c.channel(), 5000);
    c.state.broken = true;
    const started = Date.now();
    expect(await a.memory.wasDelivered('app', 'k', '$e')).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
    expect(a.fallbacks).toEqual(['was_delivered']);
  });

  test('closing the store settles what is pending', async () => {
    const c = cluster();
    c.state.silent = true;
    const store = new IpcStore(c.channel(), 60_000);
    const pending = store.has('dead', 'key');
    await store.close();
    await expect(pending).rejects.toThrow('closed');
  });

  test('questions asked in the same turn of the event loop travel as one message', async () => {
    const c = cluster();
    const a = worker(c.channel());
    const answers = await Promise.all([
      a.memory.isDead('app', 'k1'), a.memory.isDead('app', 'k2'), a.memory.wasDelivered('app', 'k1', '$e'),
    ]);
    expect(answers).toEqual([false, false, false]);
    expect(c.state.requests).toHaveLength(1);
    expect(c.state.requests[0].questions).toHaveLength(3);
  });

  test('the primary keeps the first expiry (NX), expires entries, and ignores other messages', () => {
    let clock = 1_000_000;
    const primary = new PrimaryMemory({ ttl_seconds: 10, max_entries: 100 }, () => clock);
    const ask = (op: 'has' | 'add', id: number) => primary.answer({ herald: 'memory', questions: [{ id, op, kind: 'delivered', key: 'k' }] });
    expect(ask('has', 1)).toEqual({ herald: 'memory-reply', answers: [{ id: 1, found: false }] });
    expect(ask('add', 2)).toEqual({ herald: 'memory-reply', answers: [{ id: 2 }] });
    clock += 6000;
    ask('add', 3);
    expect(ask('has', 4)?.answers).toEqual([{ id: 4, found: true }]);
    clock += 5000; // 11 s after the first mark
    expect(ask('has', 5)?.answers).toEqual([{ id: 5, found: false }]);
    expect(primary.answer({ type: 'prom-client:getMetricsReq' })).toBeUndefined();
    const odd = primary.answer({ herald: 'memory', questions: [{ id: 6, op: 'drop', kind: 'dead', key: 'k' }, { id: 7, op: 'has', kind: 'other', key: 'k' }, null] });
    expect(odd).toEqual({ herald: 'memory-reply', answers: [] });
  });
});
