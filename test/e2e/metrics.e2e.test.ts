/**
 * Contract section 8 end to end: mixed traffic through the real gateway and both simulators,
 * then one scrape of the metrics listener, parsed, checked family by family with the exact
 * label values each kind of traffic must produce.
 */
import { parsePrometheusText, samples, value, type Family } from '../support/prometheus-text';
import { ANDROID, IOS, IOS_CERT, apnsPushkey, defaultApps, notification, startE2E, type E2E } from './harness';

const LIMITED = 'org.herald.test.ios.limited';
const APPS = [IOS, IOS_CERT, ANDROID, LIMITED];
const OUTCOMES = ['delivered', 'rejected', 'temporary_failure', 'dropped', 'duplicate'];
const FITS = ['full', 'shortened', 'content_omitted'];

/** An MSC3013 frame too large for any payload: its ciphertext can only be omitted. */
function encryptedOversized(device: Record<string, unknown>) {
  return {
    notification: {
      ephemeral: 'A'.repeat(43),
      ciphertext: Buffer.alloc(4800).toString('base64').replace(/=+$/, ''),
      mac: 'A'.repeat(11),
      devices: [{ ...device, data: { algorithm: 'm.curve25519-aes-sha2' } }],
    },
  };
}

describe('metrics after mixed traffic', () => {
  let e2e: E2E;
  let families: Map<string, Family>;
  const statuses: number[] = [];

  beforeAll(async () => {
    e2e = await startE2E({
      // Generous: the first request pays TLS handshakes and the OAuth grant, on a CI machine that may be busy.
      http: { request_timeout_ms: 4000 },
      apnsOptions: { slowMs: 300 },
      apps: (f) => ({ ...defaultApps(f), [LIMITED]: { ...(defaultApps(f)[IOS] as object), inflight_request_limit: 1 } }),
    });
    const send = async (body: unknown) => statuses.push((await e2e.notify(body)).status);
    const delivered = notification([
      { app_id: IOS, pushkey: apnsPushkey('ok', 1) },
      { app_id: IOS_CERT, pushkey: apnsPushkey('ok', 2) },
      { app_id: ANDROID, pushkey: 'metrics-ok-1' },
    ]);
    await send(delivered);
    await send(delivered); // the homeserver's retry: every device is a duplicate
    await send(notification([
      { app_id: IOS, pushkey: apnsPushkey('gone', 3) },
      { app_id: ANDROID, pushkey: 'gone-metrics-1' },
      { app_id: ANDROID, pushkey: 'mismatch-metrics-1' },
      { app_id: 'client.supplied"label', pushkey: 'whatever' },
    ]));
    await send(notification([{ app_id: IOS, pushkey: apnsPushkey('fail', 4) }, { app_id: ANDROID, pushkey: 'fail-metrics-1' }]));
    await send(notification(
      [{ app_id: IOS, pushkey: apnsPushkey('ok', 5) }, { app_id: ANDROID, pushkey: 'metrics-ok-5' }],
      { content: { msgtype: 'm.text', body: 'long '.repeat(1500) } },
    ));
    await send(encryptedOversized({ app_id: IOS, pushkey: apnsPushkey('ok', 6) }));
    await send(encryptedOversized({ app_id: ANDROID, pushkey: 'metrics-ok-7' }));
    await send(notification([{ app_id: LIMITED, pushkey: apnsPushkey('slow', 8) }, { app_id: LIMITED, pushkey: apnsPushkey('slow', 9) }]));
    await send('{not json');
    await send({ notification: {} });
    const wrongMethod = await fetch(`${e2e.url}/_matrix/push/v1/notify`);
    statuses.push(wrongMethod.status);
    await wrongMethod.text();

    const res = await fetch(e2e.metricsUrl!);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    families = parsePrometheusText(await res.text());
  }, 60_000);
  afterAll(() => e2e.close());

  test('the traffic got the answers it was built to get', () => {
    expect(statuses).toEqual([200, 200, 200, 502, 200, 200, 200, 503, 400, 400, 405]);
  });

  test('every contract family is there with its type', () => {
    expect(Object.fromEntries([...families.values()].filter((f) => f.name.startsWith('herald_')).map((f) => [f.name, f.type]))).toEqual({
      herald_notifications_received_total: 'counter',
      herald_devices_received_total: 'counter',
      herald_http_responses_total: 'counter',
      herald_notify_duration_seconds: 'histogram',
      herald_requests_in_flight: 'gauge',
      herald_pushes_total: 'counter',
      herald_provider_responses_total: 'counter',
      herald_push_duration_seconds: 'histogram',
      herald_payload_fits_total: 'counter',
      herald_inflight_limit_drops_total: 'counter',
      herald_apns_certificate_expiry_timestamp_seconds: 'gauge',
      // An addition beyond section 8: push-memory fallbacks when a shared store fails.
      herald_dedup_fallback_total: 'counter',
    });
    // prom-client's default process and Node.js metrics.
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('nodejs_heap_size_total_bytes')?.type).toBe('gauge');
  });

  test('request-level counters, the in-flight gauge and the duration histogram by code', () => {
    expect(value(families, 'herald_notifications_received_total')).toBe(10);
    expect(value(families, 'herald_devices_received_total')).toBe(3 + 3 + 4 + 2 + 2 + 1 + 1 + 2);
    const responses = Object.fromEntries(samples(families, 'herald_http_responses_total').map((s) => [s.labels.code, s.value]));
    expect(responses).toEqual({ 200: 6, 400: 2, 405: 1, 502: 1, 503: 1 });
    expect(value(families, 'herald_requests_in_flight')).toBe(0);
    for (const [code, count] of [['200', 6], ['400', 2], ['502', 1], ['503', 1]] as const) {
      expect(value(families, 'herald_notify_duration_seconds', { code }, 'herald_notify_duration_seconds_count')).toBe(count);
      expect(value(families, 'herald_notify_duration_seconds', { code, le: '+Inf' }, 'herald_notify_duration_seconds_bucket')).toBe(count);
    }
    // The 502 waited out request_timeout_ms (4 s): it lands above the 1 s bucket, within 30 s.
    expect(value(families, 'herald_notify_duration_seconds', { code: '502', le: '1' }, 'herald_notify_duration_seconds_bucket')).toBe(0);
    expect(value(families, 'herald_notify_duration_seconds', { code: '502', le: '30' }, 'herald_notify_duration_seconds_bucket')).toBe(1);
    const bounds = samples(families, 'herald_notify_duration_seconds', { code: '200' }, 'herald_notify_duration_seconds_bucket').map((s) => s.labels.le);
    expect(bounds[0]).toBe('0.001');
    expect(bounds.at(-2)).toBe('30');
  });

  test('pushes by app, backend and outcome', () => {
    const pushes = Object.fromEntries(
      samples(families, 'herald_pushes_total').map((s) => [`${s.labels.app} ${s.labels.backend} ${s.labels.outcome}`, s.value]),
    );
    expect(pushes).toEqual({
      [`${IOS} apns delivered`]: 3, // ok, shortened, content_omitted
      [`${IOS} apns duplicate`]: 1,
      [`${IOS} apns rejected`]: 1,
      [`${IOS} apns temporary_failure`]: 1,
      [`${IOS_CERT} apns delivered`]: 1,
      [`${IOS_CERT} apns duplicate`]: 1,
      [`${ANDROID} fcm delivered`]: 3,
      [`${ANDROID} fcm duplicate`]: 1,
      [`${ANDROID} fcm rejected`]: 1,
      [`${ANDROID} fcm dropped`]: 1,
      [`${ANDROID} fcm temporary_failure`]: 1,
      [`${LIMITED} apns delivered`]: 1,
      [`${LIMITED} apns temporary_failure`]: 1,
    });
  });

  test('provider responses by code, push durations by backend', () => {
    const code = (app: string, backend: string, c: string) => value(families, 'herald_provider_responses_total', { app, backend, code: c }) ?? 0;
    expect(code(IOS, 'apns', '200')).toBe(3);
    expect(code(IOS, 'apns', '410')).toBe(1);
    expect(code(IOS, 'apns', '500')).toBeGreaterThanOrEqual(2); // retried until the deadline
    expect(code(IOS_CERT, 'apns', '200')).toBe(1);
    expect(code(ANDROID, 'fcm', '200')).toBe(3);
    expect(code(ANDROID, 'fcm', '404')).toBe(1);
    expect(code(ANDROID, 'fcm', '403')).toBe(1);
    expect(code(ANDROID, 'fcm', '500')).toBeGreaterThanOrEqual(2);
    for (const backend of ['apns', 'fcm']) {
      expect(value(families, 'herald_push_duration_seconds', { backend }, 'herald_push_duration_seconds_count')).toBeGreaterThanOrEqual(5);
    }
  });

  test('payload fits, in-flight limit drops and the certificate expiry gauge', () => {
    const fits = Object.fromEntries(samples(families, 'herald_payload_fits_total').map((s) => [`${s.labels.app} ${s.labels.fit}`, s.value]));
    expect(fits).toEqual({
      [`${IOS} full`]: 1, [`${IOS} shortened`]: 1, [`${IOS} content_omitted`]: 1,
      [`${IOS_CERT} full`]: 1,
      [`${ANDROID} full`]: 1, [`${ANDROID} shortened`]: 1, [`${ANDROID} content_omitted`]: 1,
      [`${LIMITED} full`]: 1,
    });
    expect(samples(families, 'herald_inflight_limit_drops_total').map((s) => [s.labels.app, s.value])).toEqual([[LIMITED, 1]]);
    const expiry = samples(families, 'herald_apns_certificate_expiry_timestamp_seconds');
    expect(expiry.map((s) => s.labels.app)).toEqual([IOS_CERT]);
    const notAfter = new Date(new (require('node:crypto').X509Certificate)(e2e.material.sandboxClient.certPem).validTo).getTime() / 1000;
    expect(expiry[0].value).toBe(Math.floor(notAfter));
  });

  test('label values are configured app ids or fixed words, never what a client sent', () => {
    const allowed: Record<string, (v: string) => boolean> = {
      app: (v) => APPS.includes(v),
      backend: (v) => v === 'apns' || v === 'fcm',
      outcome: (v) => OUTCOMES.includes(v),
      fit: (v) => FITS.includes(v),
      code: (v) => /^(\d{3}|[a-z_]+)$/.test(v),
      le: (v) => v === '+Inf' || Number.isFinite(Number(v)),
      op: (v) => /^[a-z_]+$/.test(v),
    };
    for (const family of [...families.values()].filter((f) => f.name.startsWith('herald_'))) {
      for (const s of family.samples) {
        for (const [label, v] of Object.entries(s.labels)) {
          expect([family.name, label, allowed[label]?.(v) ?? false]).toEqual([family.name, label, true]);
        }
      }
    }
  });
});

describe('metrics.enabled: false', () => {
  test('no metrics listener is opened', async () => {
    const e2e = await startE2E({ top: { metrics: { enabled: false } } });
    try {
      expect(e2e.metricsUrl).toBeUndefined();
      const listening = e2e.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'herald listening');
      expect(listening.metrics).toBe('disabled');
      expect((await e2e.notify(notification([{ app_id: ANDROID, pushkey: 'metrics-off-1' }]))).status).toBe(200);
    } finally {
      await e2e.close();
    }
  }, 30_000);
});
