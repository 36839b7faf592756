/**
 * Fuzzing the notify route over a real port (scripted pushkins, so thousands of requests take
 * seconds): arbitrary JSON, arbitrary bytes and mutated valid bodies are answered 200, 400 or
 * 413 with a JSON body holding `rejected` or a Matrix `errcode` — never a 500 — and nothing
 * reaches Object.prototype.
 */
import fc from 'fast-check';
import { fakePushkin } from '../support/fake-pushkin';
import { startAppUnderTest, type AppUnderTest } from '../support/app-under-test';

const APP = 'com.example.fuzz';
const NUM_RUNS = 300;

const VALID = {
  notification: {
    event_id: '$event', room_id: '!room:example.org', type: 'm.room.message', sender: '@a:example.org',
    sender_display_name: 'Alice', room_name: 'Room', prio: 'high', user_is_target: false,
    content: { msgtype: 'm.text', body: 'hello' }, counts: { unread: 2, missed_calls: 1 },
    devices: [
      { app_id: APP, pushkey: 'key-1', pushkey_ts: 1700000000, data: { format: 'event_id_only', default_payload: { aps: { sound: 'x' } } }, tweaks: { sound: 'bing' } },
      { app_id: 'com.unknown', pushkey: 'key-2' },
    ],
  },
};

type Json = unknown;
type Path = Array<string | number>;

/** Every path to a value inside `value` (the root excluded). */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

type Mutation = { op: 'replace' | 'delete' | 'wrap' | 'proto'; at: number; value: Json };

function mutate(base: Json, mutations: Mutation[]): Json {
  const copy = JSON.parse(JSON.stringify(base)) as Json;
  for (const m of mutations) {
    const paths = pathsOf(copy);
    if (paths.length === 0) break;
    const path = paths[m.at % paths.length];
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], copy);
    const key = path[path.length - 1];
    if (m.op === 'replace') parent[key] = m.value;
    else if (m.op === 'wrap') parent[key] = [parent[key]];
    else if (m.op === 'proto') parent[key] = JSON.parse(`{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"v":${JSON.stringify(parent[key]) ?? 'null'}}`);
    else if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  }
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('replace', 'delete', 'wrap', 'proto'),
  at: fc.nat(),
  value: fc.jsonValue({ maxDepth: 3 }),
});

describe('notify route under fuzzing', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startAppUnderTest([fakePushkin(APP)], { max_body_bytes: 65_536, max_devices: 20, request_timeout_ms: 2000 });
  });
  afterAll(() => app.close());
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  /** The one property every answer must have. */
  async function answersSanely(body: string | Buffer): Promise<number> {
    const res = await fetch(`${app.url}/_matrix/push/v1/notify`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const text = await res.text();
    expect([200, 400, 413]).toContain(res.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const parsed = JSON.parse(text) as { rejected?: unknown; errcode?: unknown };
    if (res.status === 200) {
      expect(Array.isArray(parsed.rejected) && parsed.rejected.every((k) => typeof k === 'string')).toBe(true);
    } else {
      expect(['M_NOT_JSON', 'M_BAD_JSON', 'M_TOO_LARGE']).toContain(parsed.errcode);
    }
    return res.status;
  }

  test('the valid body itself is served (the mutations start from something that works)', async () => {
    expect(await answersSanely(JSON.stringify(VALID))).toBe(200);
  });

  test('arbitrary JSON values', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), async (value) => {
      await answersSanely(JSON.stringify(value) ?? 'null');
    }), { numRuns: NUM_RUNS });
  });

  test('arbitrary JSON under "notification"', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), async (value) => {
      await answersSanely(JSON.stringify({ notification: value }));
    }), { numRuns: NUM_RUNS });
  });

  test('arbitrary bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
      expect(await answersSanely(Buffer.from(bytes))).not.toBe(200);
    }), { numRuns: NUM_RUNS });
  });

  test('valid bodies with values replaced, deleted, wrapped or given prototype keys', async () => {
    const statuses = new Set<number>();
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
      statuses.add(await answersSanely(JSON.stringify(mutate(VALID, mutations))));
    }), { numRuns: NUM_RUNS });
    // Both kinds of answer were exercised, or the mutations were too weak or too strong to mean much.
    expect([...statuses].sort()).toEqual([200, 400]);
  });

  test('valid bodies with bytes flipped, cut or inserted', async () => {
    const text = Buffer.from(JSON.stringify(VALID));
    const byteEdit = fc.record({ at: fc.nat({ max: text.length - 1 }), byte: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom('set', 'cut', 'insert') });
    await fc.assert(fc.asyncProperty(fc.array(byteEdit, { minLength: 1, maxLength: 4 }), async (edits) => {
      let bytes = Buffer.from(text);
      for (const e of edits) {
        const at = e.at % Math.max(1, bytes.length);
        if (e.op === 'set') bytes[at] = e.byte;
        else if (e.op === 'cut') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([e.byte]), bytes.subarray(at)]);
      }
      await answersSanely(bytes);
    }), { numRuns: NUM_RUNS });
  });
});
