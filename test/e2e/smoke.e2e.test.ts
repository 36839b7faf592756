import { ANDROID, IOS, IOS_CERT, apnsPushkey, notification, startE2E, type E2E } from './harness';

describe('end to end smoke: one request to APNs (token + certificate) and FCM', () => {
  let e2e: E2E;
  beforeAll(async () => { e2e = await startE2E(); }, 30_000);
  afterAll(() => e2e.close());

  test('a request with APNs and FCM devices reaches both simulators', async () => {
    const res = await e2e.notify(notification([
      { app_id: IOS, pushkey: apnsPushkey('ok', 1) },
      { app_id: IOS_CERT, pushkey: apnsPushkey('ok', 2) },
      { app_id: ANDROID, pushkey: 'android-ok-1' },
    ]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(e2e.apns.received.filter((r) => r.status === 200)).toHaveLength(2);
    expect(e2e.fcm.received.map((r) => [r.token, r.status])).toEqual([['android-ok-1', 200]]);
  });
});
