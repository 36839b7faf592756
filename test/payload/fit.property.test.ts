/**
 * Properties of the payload layer over random notifications: every push fits, a ciphertext is
 * whole or absent, shortened text stays valid and marked, and a fallback never says more
 * about counts than `counts_only_type` allows.
 */
import fc from 'fast-check';
import { buildApnsPush, type ApnsPush } from '../../src/payload/apns';
import { buildFcmMessage, isReservedDataKey, measureFcmData } from '../../src/payload/fcm';
import { isCountsOnly, isEncrypted, type Device, type Notification } from '../../src/notification';
import { apnsApp, fcmApp } from './fixtures';

// No shrinking: minimising multi-kilobyte strings takes minutes; the raw counterexample is printed.
const RUNS = { numRuns: 300, endOnFailure: true };

/** Characters that cost more than one byte on the wire, in JSON or in UTF-8. */
const TRICKY = ['"', '\\', '\n', '\t', '\u0001', '\u001f', 'é', '日', '😀', '👍🏽', '\u2028', 'a', ' '];

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...TRICKY), { maxLength: 3000 }).map((chars) => chars.join('')),
  fc.string({ unit: 'binary', minLength: 500, maxLength: 3000 }),
);
const optionalText = fc.option(text, { nil: undefined });
const count = fc.option(fc.nat({ max: 100000 }), { nil: undefined });
const counts = fc.option(fc.record({ unread: count, missed_calls: count }), { nil: undefined });

/** No count-like keys: an operator's constant default_payload is not a count leak. */
const defaultPayload = fc.option(
  fc.oneof(
    fc.record({ channel: fc.string({ maxLength: 20 }) }),
    fc.record({ blob: fc.string({ minLength: 3000, maxLength: 9000 }) }),
    fc.record({ aps: fc.record({ 'mutable-content': fc.constant(1), alert: fc.record({ 'loc-key': fc.constant('SINGLE_UNREAD'), body: text }) }) }),
  ),
  { nil: undefined },
);

const device: fc.Arbitrary<Device> = fc.record({
  app_id: fc.constant('com.example.app'),
  pushkey: fc.constant('spqr'),
  data: fc.record({ format: fc.constantFrom(undefined, 'event_id_only'), default_payload: defaultPayload }),
  tweaks: fc.record({ sound: fc.option(fc.constantFrom('default', 'ping.caf'), { nil: undefined }) }),
});

const plain = fc.record({
  event_id: fc.option(fc.string({ minLength: 1, maxLength: 300 }), { nil: undefined }),
  room_id: fc.option(fc.string({ minLength: 1, maxLength: 300 }), { nil: undefined }),
  type: fc.constantFrom(undefined, 'm.room.message', 'm.room.member', 'm.call.invite', 'org.example.custom'),
  sender: optionalText,
  sender_display_name: optionalText,
  room_name: optionalText,
  room_alias: optionalText,
  membership: fc.constantFrom(undefined, 'invite', 'join'),
  user_is_target: fc.boolean(),
  prio: fc.constantFrom(undefined, 'high' as const, 'low' as const),
  content: fc.option(fc.record({ msgtype: fc.constantFrom('m.text', 'm.emote', 'm.image'), body: text, formatted_body: optionalText }), { nil: undefined }),
  counts,
});

const encrypted = fc.record({
  blocks: fc.integer({ min: 1, max: 400 }),
  byte: fc.nat({ max: 255 }),
  is_counts_only: fc.constantFrom(undefined, true),
  counts,
}).map(({ blocks, byte, is_counts_only, counts: c }) => ({
  encrypted: {
    ephemeral: 'E'.repeat(42) + 'A',
    ciphertext: Buffer.alloc(16 * blocks, byte).toString('base64').replace(/=+$/, ''),
    mac: 'M'.repeat(10) + 'A',
    is_counts_only,
    counts: c,
  },
}));

const notification = fc.tuple(fc.oneof(plain, encrypted), device).map(([n, d]) => ({ n: { ...n, devices: [d] } as Notification, d }));

const appSettings = fc.record({
  max_payload_bytes: fc.integer({ min: 256, max: 4096 }),
  counts_only_type: fc.constantFrom('none', 'boolean', 'full'),
  send_badge_counts: fc.boolean(),
  default_payload: defaultPayload.map((p) => p ?? {}),
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A shortened text is a prefix of its original plus `…`, and valid UTF-16 (so valid UTF-8). */
function expectShortenedFrom(shortened: unknown, original: unknown): void {
  if (shortened === original) return;
  expect(typeof shortened).toBe('string');
  const s = shortened as string;
  expect(s.endsWith('…')).toBe(true);
  expect((original as string).startsWith(s.slice(0, -1))).toBe(true);
  expect(LONE_SURROGATE.test(s)).toBe(false);
}

function alertOf(push: ApnsPush | null): Record<string, unknown> {
  const aps = push?.body.aps as Record<string, unknown> | undefined;
  return (aps?.alert ?? {}) as Record<string, unknown>;
}

/** The generators must reach every outcome, or the properties prove little. */
const EVERY_OUTCOME = ['plain:full', 'plain:shortened', 'plain:content_omitted', 'encrypted:full', 'encrypted:content_omitted'];

describe('APNs payloads (property)', () => {
  const seen = new Set<string>();
  afterAll(() => expect([...seen].sort()).toEqual([...EVERY_OUTCOME].sort()));

  it('fit the limit, keep ciphertexts whole, shorten cleanly and keep fallbacks within counts_only_type', () => {
    fc.assert(fc.property(notification, appSettings, ({ n, d }, settings) => {
      const app = apnsApp(settings);
      const push = buildApnsPush(n, d, app);
      if (!push) return;
      seen.add(`${isEncrypted(n) ? 'encrypted' : 'plain'}:${push.fit}`);
      expect(push.json).toBe(JSON.stringify(push.body));
      expect(push.bytes).toBe(Buffer.byteLength(push.json));
      expect(push.bytes).toBeLessThanOrEqual(settings.max_payload_bytes);
      if (push.pushType === 'background') expect(push.priority).toBe(5);

      if (isEncrypted(n)) {
        expect(push.fit).not.toBe('shortened');
        if (push.fit === 'full') expect(push.body.ciphertext).toBe(n.encrypted.ciphertext);
        else expect(push.json).not.toMatch(/ciphertext|ephemeral|"mac"/);
      }
      if (push.fit === 'shortened') {
        const unlimited = buildApnsPush(n, d, { ...app, max_payload_bytes: Number.MAX_SAFE_INTEGER });
        const [was, now] = [alertOf(unlimited), alertOf(push)];
        expectShortenedFrom(now.body, was.body);
        const args = (now['loc-args'] ?? []) as unknown[];
        args.forEach((arg, i) => expectShortenedFrom(arg, (was['loc-args'] as unknown[])[i]));
      }
      if (push.fit === 'content_omitted') {
        const body = push.body as Record<string, unknown> & { aps: Record<string, unknown> };
        expect(body.content_omitted).toBe(true);
        if (settings.counts_only_type !== 'full') expect(body.aps.badge).toBeUndefined();
        const flagAllowed = settings.counts_only_type === 'boolean' && isCountsOnly(n);
        expect(body.is_counts_only).toBe(flagAllowed ? true : undefined);
      }
    }), RUNS);
  });
});

describe('FCM payloads (property)', () => {
  const seen = new Set<string>();
  afterAll(() => expect([...seen].sort()).toEqual([...EVERY_OUTCOME].sort()));

  it('fit the limit, keep ciphertexts whole, shorten cleanly and keep fallbacks within counts_only_type', () => {
    fc.assert(fc.property(notification, appSettings, ({ n, d }, settings) => {
      const app = fcmApp(settings);
      const push = buildFcmMessage(n, d, app);
      if (!push) return;
      seen.add(`${isEncrypted(n) ? 'encrypted' : 'plain'}:${push.fit}`);
      const data = push.message.data;
      expect(push.bytes).toBe(measureFcmData(data));
      expect(push.bytes).toBeLessThanOrEqual(settings.max_payload_bytes);
      for (const [key, value] of Object.entries(data)) {
        expect(typeof value).toBe('string');
        expect(isReservedDataKey(key)).toBe(false);
      }

      if (isEncrypted(n)) {
        expect(push.fit).not.toBe('shortened');
        expect(push.message.android.priority).toBe('high');
        if (push.fit === 'full') expect(data.ciphertext).toBe(n.encrypted.ciphertext);
        else expect(data.ciphertext).toBeUndefined();
      }
      if (push.fit === 'shortened') {
        const unlimited = buildFcmMessage(n, d, { ...app, max_payload_bytes: Number.MAX_SAFE_INTEGER })!;
        for (const key of ['content_body', 'room_name', 'sender_display_name']) {
          expectShortenedFrom(data[key], unlimited.message.data[key]);
        }
      }
      if (push.fit === 'content_omitted') {
        expect(data.content_omitted).toBe('true');
        if (settings.counts_only_type !== 'full') {
          expect(data.unread).toBeUndefined();
          expect(data.missed_calls).toBeUndefined();
        }
        const flagAllowed = settings.counts_only_type === 'boolean' && isCountsOnly(n);
        expect(data.is_counts_only).toBe(flagAllowed ? 'true' : undefined);
      }
    }), RUNS);
  });
});
