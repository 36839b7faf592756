import { buildApnsPush } from '../../src/payload/apns';
import { apnsApp, DEFAULT_PAYLOAD_DEVICE, device, encrypted, EVENT_ID, eventIdOnly, message, ROOM_ID } from './fixtures';

type Aps = Record<string, unknown> & { alert?: { 'loc-args'?: string[]; body?: string } };
const apsOf = (body: Record<string, unknown>) => body.aps as Aps;

describe('buildApnsPush: fitting to max_payload_bytes', () => {
  it('shortens a long body to the limit, keeping the short args whole', () => {
    const body = 'x'.repeat(5000);
    const push = buildApnsPush(message({ content: { msgtype: 'm.text', body } }), device(), apnsApp({ max_payload_bytes: 1024 }))!;
    expect(push.fit).toBe('shortened');
    expect(push.bytes).toBeLessThanOrEqual(1024);
    expect(push.bytes).toBeGreaterThan(1024 - 3);
    const args = apsOf(push.body).alert!['loc-args']!;
    expect(args.slice(0, 2)).toEqual(['Major Tom', 'Mission Control']);
    expect(args[2]).toMatch(/^x+…$/);
  });

  it('accounts for JSON escaping of quotes and control characters', () => {
    const body = '"\n\u0001'.repeat(2000);
    const push = buildApnsPush(message({ content: { msgtype: 'm.text', body } }), device(), apnsApp({ max_payload_bytes: 512 }))!;
    expect(push.fit).toBe('shortened');
    expect(Buffer.byteLength(push.json)).toBeLessThanOrEqual(512);
    expect(push.bytes).toBeGreaterThan(512 - 9);
  });

  it('shortens a default_payload alert body too', () => {
    const dev = device({ data: { default_payload: { aps: { alert: { body: 'é'.repeat(3000) } } } } });
    const push = buildApnsPush(message(), dev, apnsApp())!;
    expect(push.fit).toBe('shortened');
    expect(push.bytes).toBeLessThanOrEqual(4096);
    expect(apsOf(push.body).alert!.body).toMatch(/^é+…$/);
  });

  it('falls back when a huge default_payload makes the payload too big, dropping it from the fallback', () => {
    const dev = device({ data: { default_payload: { blob: 'z'.repeat(10000) } } });
    const push = buildApnsPush(message(), dev, apnsApp())!;
    expect(push.fit).toBe('content_omitted');
    expect(push.body).toEqual({ aps: { 'content-available': 1 }, content_omitted: true, event_id: EVENT_ID, room_id: ROOM_ID });
    expect(push.pushType).toBe('background');
    expect(push.priority).toBe(5);
  });

  it('keeps a default_payload alert (and sound) in the fallback when it fits: a visible push', () => {
    const dev = device({ ...DEFAULT_PAYLOAD_DEVICE, tweaks: { sound: 'ping' } });
    // Texts too short to cut (3 bytes or less) and a long event id: only the fallback can fit.
    const eventId = '$' + 'e'.repeat(70);
    const n = message({ event_id: eventId, sender_display_name: 'Tom', room_name: 'Rm', content: { msgtype: 'm.text', body: 'hi' } });
    expect(buildApnsPush(n, dev, apnsApp())!.bytes).toBeGreaterThan(256);
    const push = buildApnsPush(n, dev, apnsApp({ max_payload_bytes: 256, counts_only_type: 'full' }))!;
    expect(push.fit).toBe('content_omitted');
    expect(push.body).toEqual({
      aps: { 'mutable-content': 1, alert: { 'loc-key': 'SINGLE_UNREAD', 'loc-args': [] }, badge: 3, sound: 'ping' },
      content_omitted: true, event_id: eventId, room_id: ROOM_ID,
    });
    expect(push.pushType).toBe('alert');
    expect(push.priority).toBe(10);
  });

  it('falls back for an event_id_only push inflated by default_payload', () => {
    const dev = device({ data: { format: 'event_id_only', default_payload: { blob: 'q'.repeat(5000) } } });
    const push = buildApnsPush(eventIdOnly(), dev, apnsApp())!;
    expect(push.fit).toBe('content_omitted');
    expect(push.bytes).toBeLessThanOrEqual(4096);
  });

  it('drops huge ids from the fallback rather than exceed the limit', () => {
    const n = message({ event_id: '$' + 'e'.repeat(300), room_id: '!' + 'r'.repeat(300), content: { msgtype: 'm.text', body: 'b'.repeat(300) } });
    const push = buildApnsPush(n, device(), apnsApp({ max_payload_bytes: 256 }))!;
    expect(push.fit).toBe('content_omitted');
    expect(push.body).toEqual({ aps: { 'content-available': 1 }, content_omitted: true });
  });
});

describe('buildApnsPush: fallback counts by counts_only_type', () => {
  const tooBig = { max_payload_bytes: 256 };
  const bigCiphertext = 300;

  it.each([
    { type: 'none', extra: { counts: { unread: 4, missed_calls: 1 } }, aps: { 'content-available': 1 }, top: {} },
    { type: 'boolean', extra: { is_counts_only: true }, aps: { 'content-available': 1 }, top: { is_counts_only: true } },
    { type: 'boolean', extra: { counts: { unread: 4 } }, aps: { 'content-available': 1 }, top: { is_counts_only: true } },
    { type: 'full', extra: { counts: { unread: 4, missed_calls: 1 } }, aps: { 'content-available': 1, badge: 4 }, top: {} },
    { type: 'full', extra: { is_counts_only: true }, aps: { 'content-available': 1 }, top: {} },
  ])('encrypted counts-only frame, $type, $extra', ({ type, extra, aps, top }) => {
    const n = encrypted(extra, bigCiphertext);
    const push = buildApnsPush(n, n.devices[0], apnsApp({ ...tooBig, counts_only_type: type }))!;
    expect(push.fit).toBe('content_omitted');
    expect(push.body).toEqual({ aps, content_omitted: true, ...top });
    expect(push.json).not.toContain('ciphertext');
  });

  it('an encrypted event frame never says is_counts_only, even with boolean', () => {
    const n = encrypted({}, bigCiphertext);
    const push = buildApnsPush(n, n.devices[0], apnsApp({ ...tooBig, counts_only_type: 'boolean' }))!;
    expect(push.body).toEqual({ aps: { 'content-available': 1 }, content_omitted: true });
  });

  it('an encrypted event frame with a default alert falls back to that alert', () => {
    const n = encrypted({}, bigCiphertext);
    const push = buildApnsPush(n, DEFAULT_PAYLOAD_DEVICE, apnsApp(tooBig))!;
    expect(push.body).toEqual({ aps: { 'mutable-content': 1, alert: { 'loc-key': 'SINGLE_UNREAD', 'loc-args': [] } }, content_omitted: true });
    expect(push.pushType).toBe('alert');
  });

  it.each([
    { type: 'none', aps: { 'content-available': 1 } },
    { type: 'boolean', aps: { 'content-available': 1 } },
    { type: 'full', aps: { 'content-available': 1, badge: 3 } },
  ])('a plain event degraded with $type carries the ids and only the counts it allows', ({ type, aps }) => {
    const dev = device({ data: { default_payload: { blob: 'z'.repeat(5000) } } });
    const push = buildApnsPush(message(), dev, apnsApp({ counts_only_type: type }))!;
    expect(push.body).toEqual({ aps, content_omitted: true, event_id: EVENT_ID, room_id: ROOM_ID });
  });

  it('send_badge_counts false keeps counts out of the fallback even with full', () => {
    const n = encrypted({ counts: { unread: 4 } }, bigCiphertext);
    const push = buildApnsPush(n, n.devices[0], apnsApp({ ...tooBig, counts_only_type: 'full', send_badge_counts: false }))!;
    expect(push.body).toEqual({ aps: { 'content-available': 1 }, content_omitted: true });
  });
});
