import { ExpiringSet, InMemoryPushMemory } from '../../src/dispatch/push-memory';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

describe('ExpiringSet', () => {
  test('an entry lives for exactly ttl', () => {
    const c = clock();
    const set = new ExpiringSet(1000, 10, c.now);
    set.add('a');
    c.advance(999);
    expect(set.has('a')).toBe(true);
    c.advance(1);
    expect(set.has('a')).toBe(false);
    // An expired entry found by has() is removed, so it does not count against the bound.
    expect(set.size).toBe(0);
  });

  test('re-adding renews the ttl', () => {
    const c = clock();
    const set = new ExpiringSet(1000, 10, c.now);
    set.add('a');
    c.advance(800);
    set.add('a');
    c.advance(800);
    expect(set.has('a')).toBe(true);
  });

  test('never holds more than maxEntries; the oldest goes first', () => {
    const c = clock();
    const set = new ExpiringSet(60_000, 3, c.now);
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      set.add(key);
      c.advance(1);
    }
    expect(set.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((k) => set.has(k))).toEqual([false, false, true, true, true]);
  });

  test('re-adding moves an entry to the young end', () => {
    const set = new ExpiringSet(60_000, 2, clock().now);
    set.add('a');
    set.add('b');
    set.add('a');
    set.add('c');
    expect([set.has('a'), set.has('b'), set.has('c')]).toEqual([true, false, true]);
  });
});

describe('InMemoryPushMemory', () => {
  test('delivered events are per app + pushkey + event and expire after ttl_seconds', async () => {
    const c = clock();
    const memory = new InMemoryPushMemory({ ttl_seconds: 60, max_entries: 100 }, c.now);
    await memory.markDelivered('app', 'key', '$e');
    expect(await memory.wasDelivered('app', 'key', '$e')).toBe(true);
    expect(await memory.wasDelivered('app', 'key', '$other')).toBe(false);
    expect(await memory.wasDelivered('app', 'other-key', '$e')).toBe(false);
    expect(await memory.wasDelivered('other-app', 'key', '$e')).toBe(false);
    c.advance(60_000);
    expect(await memory.wasDelivered('app', 'key', '$e')).toBe(false);
  });

  test('dead pushkeys are per app and expire after ttl_seconds', async () => {
    const c = clock();
    const memory = new InMemoryPushMemory({ ttl_seconds: 10, max_entries: 100 }, c.now);
    await memory.markDead('app', 'key');
    expect(await memory.isDead('app', 'key')).toBe(true);
    expect(await memory.isDead('other-app', 'key')).toBe(false);
    c.advance(10_000);
    expect(await memory.isDead('app', 'key')).toBe(false);
  });

  test('keys cannot collide by concatenation', async () => {
    const memory = new InMemoryPushMemory({ ttl_seconds: 60, max_entries: 100 });
    await memory.markDead('ab', 'c');
    expect(await memory.isDead('a', 'bc')).toBe(false);
  });

  test('both memories are bounded by max_entries', async () => {
    const memory = new InMemoryPushMemory({ ttl_seconds: 60, max_entries: 2 });
    for (const key of ['k1', 'k2', 'k3']) {
      await memory.markDead('app', key);
      await memory.markDelivered('app', key, '$e');
    }
    expect(await memory.isDead('app', 'k1')).toBe(false);
    expect(await memory.wasDelivered('app', 'k1', '$e')).toBe(false);
    expect(await memory.isDead('app', 'k3')).toBe(true);
    expect(await memory.wasDelivered('app', 'k3', '$e')).toBe(true);
  });
});
