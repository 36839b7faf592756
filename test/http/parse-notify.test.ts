import { MatrixError } from '../../src/http/errors';
import { parseNotifyBody } from '../../src/http/parse-notify';
import { isEncrypted } from '../../src/notification';

const limits = { maxDevices: 3 };
const parse = (body: unknown) => parseNotifyBody(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), limits);
const device = { app_id: 'a', pushkey: 'k' };
const envelope = {
  ephemeral: 'rS/918/dKQLOSLxilpc3GxGEw+/jUwcnxz09XTK/AhM',
  ciphertext: 'zMDKUZtmOiQI77C4zeM0wY5e5CfHhk8UmrOPADJrcO0ll04u+FoQ3bQmNQg+FPZvwdc9mxWQsZdaOwGoVSeN6w',
  mac: 'uzZ7yG/qdOQ',
};
const encDevice = { ...device, data: { algorithm: 'm.curve25519-aes-sha2' } };

describe('parseNotifyBody rejects bad input with the errcode and the field', () => {
  test.each<[string, unknown, string, RegExp]>([
    ['not JSON', '{"notification":', 'M_NOT_JSON', /not valid JSON/],
    ['JSON array', [], 'M_BAD_JSON', /JSON object/],
    ['no notification', {}, 'M_BAD_JSON', /^notification:/],
    ['devices missing', { notification: {} }, 'M_BAD_JSON', /notification\.devices/],
    ['devices empty', { notification: { devices: [] } }, 'M_BAD_JSON', /non-empty/],
    ['too many devices', { notification: { devices: [device, device, device, device] } }, 'M_BAD_JSON', /more than the limit of 3/],
    ['device not object', { notification: { devices: ['x'] } }, 'M_BAD_JSON', /devices\[0\]: must be an object/],
    ['app_id number', { notification: { devices: [{ app_id: 1, pushkey: 'k' }] } }, 'M_BAD_JSON', /devices\[0\]\.app_id/],
    ['pushkey missing', { notification: { devices: [device, { app_id: 'a' }] } }, 'M_BAD_JSON', /devices\[1\]\.pushkey/],
    ['data not object', { notification: { devices: [{ ...device, data: 5 }] } }, 'M_BAD_JSON', /devices\[0\]\.data/],
    ['sound not string', { notification: { devices: [{ ...device, tweaks: { sound: 1 } }] } }, 'M_BAD_JSON', /tweaks\.sound/],
    ['event_id number', { notification: { event_id: 5, devices: [device] } }, 'M_BAD_JSON', /notification\.event_id/],
    ['prio bad', { notification: { prio: 'urgent', devices: [device] } }, 'M_BAD_JSON', /notification\.prio/],
    ['counts negative', { notification: { counts: { unread: -1 }, devices: [device] } }, 'M_BAD_JSON', /counts\.unread/],
    ['content string', { notification: { content: 'x', devices: [device] } }, 'M_BAD_JSON', /notification\.content/],
    ['encrypted, no ciphertext', { notification: { devices: [encDevice] } }, 'M_BAD_JSON', /notification\.ephemeral/],
    ['encrypted, padded base64', { notification: { ...envelope, mac: 'uzZ7yG/qdOQ=', devices: [encDevice] } }, 'M_BAD_JSON', /notification\.mac: not unpadded/],
    ['encrypted, short key', { notification: { ...envelope, ephemeral: 'AAAA', devices: [encDevice] } }, 'M_BAD_JSON', /32 bytes/],
    ['encrypted, partial block', { notification: { ...envelope, ciphertext: 'AAAAAAAAAAAAAAAAAAAAAAA', devices: [encDevice] } }, 'M_BAD_JSON', /16-byte blocks/],
    ['encrypted, non-canonical', { notification: { ...envelope, mac: 'uzZ7yG/qdOR', devices: [encDevice] } }, 'M_BAD_JSON', /notification\.mac/],
    ['encrypted, two devices', { notification: { ...envelope, devices: [encDevice, encDevice] } }, 'M_BAD_JSON', /exactly one device/],
    ['ciphertext without algorithm', { notification: { ciphertext: 'x', devices: [device] } }, 'M_BAD_JSON', /notification\.ephemeral/],
    ['is_counts_only not boolean', { notification: { ...envelope, is_counts_only: 1, devices: [encDevice] } }, 'M_BAD_JSON', /is_counts_only/],
  ])('%s', (_name, body, errcode, message) => {
    const result = parse(body);
    expect(result).toBeInstanceOf(MatrixError);
    expect((result as MatrixError).errcode).toBe(errcode);
    expect((result as MatrixError).error).toMatch(message);
  });

  test('invalid UTF-8 is M_NOT_JSON', () => {
    const result = parseNotifyBody(Buffer.from([0x7b, 0xff, 0x7d]), limits);
    expect((result as MatrixError).errcode).toBe('M_NOT_JSON');
  });
});

describe('parseNotifyBody accepts', () => {
  test('a plain notification with its fields', () => {
    const n = parse({ notification: { event_id: '$e', room_id: '!r', prio: 'low', counts: { unread: 2 }, content: { body: 'hi' }, devices: [device], extra: 1 } });
    expect(n).toEqual({ event_id: '$e', room_id: '!r', prio: 'low', counts: { unread: 2 }, content: { body: 'hi' }, devices: [device] });
  });

  test.each(['m.curve25519-aes-sha2', 'com.famedly.curve25519-aes-sha2'])('an encrypted notification (%s) with plaintext hints', (algorithm) => {
    const n = parse({ notification: { ...envelope, is_counts_only: true, counts: { unread: 1 }, devices: [{ ...device, data: { algorithm } }] } });
    expect(n).not.toBeInstanceOf(MatrixError);
    if (n instanceof MatrixError || !isEncrypted(n)) throw new Error('expected encrypted');
    expect(n.encrypted).toEqual({ ...envelope, is_counts_only: true, counts: { unread: 1 } });
  });

  test.each(['m.plain', 'com.famedly.plain'])('%s as plain', (algorithm) => {
    const n = parse({ notification: { event_id: '$e', devices: [{ ...device, data: { algorithm } }] } });
    expect(n instanceof MatrixError ? n : isEncrypted(n)).toBe(false);
  });

  test('a __proto__ key stays inert data', () => {
    const n = parse('{"notification":{"devices":[{"app_id":"a","pushkey":"k","data":{"__proto__":{"polluted":true}}}]}}');
    expect(n).not.toBeInstanceOf(MatrixError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
