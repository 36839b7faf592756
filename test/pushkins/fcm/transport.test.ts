/** The pure parts of the transport: where FCM requests go, and the message the SDK is given. */
import type { FcmMessage } from '../../../src/payload/fcm';
import { fcmRedirects, toSdkMessage } from '../../../src/pushkins/fcm/transport';

describe('fcmRedirects', () => {
  it('points fcm.googleapis.com:443 at a configured endpoint', () => {
    expect([...fcmRedirects('https://127.0.0.1:8444')]).toEqual([['fcm.googleapis.com:443', { host: '127.0.0.1', port: 8444 }]]);
    expect([...fcmRedirects('https://relay.example.org')]).toEqual([['fcm.googleapis.com:443', { host: 'relay.example.org', port: 443 }]]);
    expect([...fcmRedirects('https://[::1]:9000')]).toEqual([['fcm.googleapis.com:443', { host: '::1', port: 9000 }]]);
  });

  it('redirects nothing for the real FCM host', () => {
    expect(fcmRedirects('https://fcm.googleapis.com').size).toBe(0);
  });
});

describe('toSdkMessage', () => {
  const base: FcmMessage = { token: 't', data: { a: '1' }, android: { priority: 'high' } };

  it('gives the SDK android.ttl in milliseconds, as it wants, without touching the input', () => {
    const message: FcmMessage = { ...base, android: { priority: 'high', ttl: '3600s', collapse_key: 'k' } };
    expect(toSdkMessage(message)).toEqual({ ...base, android: { priority: 'high', ttl: 3_600_000, collapse_key: 'k' } });
    expect(toSdkMessage({ ...base, android: { priority: 'normal', ttl: '1.5s' } }).android).toEqual({ priority: 'normal', ttl: 1500 });
    expect(message.android.ttl).toBe('3600s');
  });

  it('passes everything else through unchanged', () => {
    expect(toSdkMessage(base)).toBe(base);
    const withOptions: FcmMessage = { ...base, fcm_options: { analytics_label: 'x' } };
    expect(toSdkMessage(withOptions)).toEqual(withOptions);
  });
});
