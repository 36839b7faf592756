/** The service-account credential: the JWT-bearer grant, caching, sharing and refreshing. */
import { generateKeyPairSync, verify } from 'node:crypto';
import {
  FCM_SCOPE, GOOGLE_TOKEN_URI, ServiceAccountCredential, TokenFetchError, type TokenPost, parseServiceAccount, readTokenAnswer,
} from '../../../src/pushkins/fcm/credential';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ACCOUNT = {
  client_email: 'pusher@project.iam.gserviceaccount.com',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  private_key_id: 'key-1',
  token_uri: 'https://auth.example.test/token',
};

interface Endpoint {
  post: TokenPost;
  forms: URLSearchParams[];
  answer: (n: number) => { status: number; body: string; retryAfter?: string } | Error;
}

function endpoint(answer: Endpoint['answer'] = (n) => ({ status: 200, body: JSON.stringify({ access_token: `token-${n}`, expires_in: 3600 }) })): Endpoint {
  const e: Endpoint = {
    forms: [],
    answer,
    post: async (url, form) => {
      expect(url).toBe(ACCOUNT.token_uri);
      e.forms.push(new URLSearchParams(form));
      await new Promise((resolve) => setImmediate(resolve));
      const a = e.answer(e.forms.length);
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return e;
}

function fakeClock(start = 1_700_000_000_000) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('the grant', () => {
  it('posts an RS256 JWT-bearer assertion for the FCM scope, addressed to token_uri', async () => {
    const e = endpoint();
    const clock = fakeClock();
    await new ServiceAccountCredential(ACCOUNT, e.post, { now: clock.now }).token();

    const [form] = e.forms;
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header, claims, signature] = form.get('assertion')!.split('.');
    const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
    const iat = Math.floor(clock.t / 1000);
    expect(decode(claims)).toEqual({ iss: ACCOUNT.client_email, scope: FCM_SCOPE, aud: ACCOUNT.token_uri, iat, exp: iat + 3600 });
    const signed = Buffer.from(`${header}.${claims}`);
    expect(verify('RSA-SHA256', signed, publicKey.export({ type: 'spki', format: 'pem' }), Buffer.from(signature, 'base64url'))).toBe(true);
  });
});

describe('caching', () => {
  it('fetches once and reuses the token', async () => {
    const e = endpoint();
    const clock = fakeClock();
    const credential = new ServiceAccountCredential(ACCOUNT, e.post, { now: clock.now });
    const first = await credential.token();
    clock.t += 30 * 60 * 1000;
    const second = await credential.token();
    expect(first).toMatchObject({ ok: true, accessToken: 'token-1' });
    expect(second).toEqual(first);
    expect(e.forms).toHaveLength(1);
  });

  it('shares one fetch between concurrent callers', async () => {
    const e = endpoint();
    const credential = new ServiceAccountCredential(ACCOUNT, e.post);
    const results = await Promise.all([credential.token(), credential.token(), credential.getAccessToken()]);
    expect(e.forms).toHaveLength(1);
    expect(results[2]).toMatchObject({ access_token: 'token-1' });
  });

  it('refreshes shortly (5 minutes) before expiry, not earlier', async () => {
    const e = endpoint();
    const clock = fakeClock();
    const credential = new ServiceAccountCredential(ACCOUNT, e.post, { now: clock.now });
    await credential.token();
    clock.t += 54 * 60 * 1000 + 59_000; // 5 min 1 s left
    await expect(credential.token()).resolves.toMatchObject({ accessToken: 'token-1' });
    clock.t += 2000; // 4 min 59 s left
    await expect(credential.token()).resolves.toMatchObject({ accessToken: 'token-2' });
    expect(e.forms).toHaveLength(2);
  });

  it('forgets a token FCM refused, but not a newer one', async () => {
    const e = endpoint();
    const credential = new ServiceAccountCredential(ACCOUNT, e.post);
    await credential.token();
    credential.invalidate('token-1');
    await expect(credential.token()).resolves.toMatchObject({ accessToken: 'token-2' });
    credential.invalidate('token-1');
    await expect(credential.token()).resolves.toMatchObject({ accessToken: 'token-2' });
    expect(e.forms).toHaveLength(2);
  });

  it('holds a failure briefly so an outage is not hammered, then asks again', async () => {
    const e = endpoint(() => ({ status: 503, body: '' }));
    const clock = fakeClock();
    const credential = new ServiceAccountCredential(ACCOUNT, e.post, { now: clock.now, failureHoldMs: 1000 });
    await credential.token();
    clock.t += 999;
    await expect(credential.token()).resolves.toMatchObject({ ok: false, failure: { kind: 'unavailable', status: 503, retryAfterMs: 1 } });
    expect(e.forms).toHaveLength(1);
    e.answer = (n) => ({ status: 200, body: JSON.stringify({ access_token: `token-${n}`, expires_in: 3600 }) });
    clock.t += 1;
    await expect(credential.token()).resolves.toMatchObject({ ok: true, accessToken: 'token-2' });
  });

  it('gives firebase-admin expires_in 0 so that this credential stays the only cache', async () => {
    const credential = new ServiceAccountCredential(ACCOUNT, endpoint().post);
    await expect(credential.getAccessToken()).resolves.toEqual({ access_token: 'token-1', expires_in: 0 });
  });
});

describe('failures', () => {
  it('throws a TokenFetchError to firebase-admin, carrying the classified failure', async () => {
    const credential = new ServiceAccountCredential(ACCOUNT, endpoint(() => ({ status: 400, body: '{"error":"invalid_grant","error_description":"x"}' })).post);
    const thrown = await credential.getAccessToken().catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(TokenFetchError);
    expect((thrown as TokenFetchError).failure).toMatchObject({ kind: 'refused', status: 400 });
    expect((thrown as TokenFetchError).message).toContain('invalid_grant');
  });

  it('calls an unreachable endpoint unavailable', async () => {
    const credential = new ServiceAccountCredential(ACCOUNT, endpoint(() => new Error('connect ECONNREFUSED')).post);
    await expect(credential.token()).resolves.toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
  });

  it.each([
    [400, 'refused'], [401, 'refused'], [403, 'refused'], [404, 'refused'],
    [408, 'unavailable'], [429, 'unavailable'], [500, 'unavailable'], [503, 'unavailable'],
  ])('status %i → %s', (status, kind) => {
    expect(readTokenAnswer({ status, body: '' }, 0)).toMatchObject({ ok: false, failure: { kind, status } });
  });

  it('reads Retry-After of an unavailable endpoint', () => {
    expect(readTokenAnswer({ status: 503, body: '', retryAfter: '7' }, 0)).toMatchObject({ failure: { retryAfterMs: 7000 } });
  });

  it('counts a 200 without a token as the endpoint failing', () => {
    expect(readTokenAnswer({ status: 200, body: '{"token_type":"Bearer"}' }, 0)).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
    expect(readTokenAnswer({ status: 200, body: 'not json' }, 0)).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
  });

  it('never puts an error description (which may echo input) into the reason', () => {
    const result = readTokenAnswer({ status: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'secret-ish detail' }) }, 0);
    expect(JSON.stringify(result)).not.toContain('secret-ish');
  });
});

describe('parseServiceAccount', () => {
  it('defaults token_uri to Google\'s', () => {
    const { token_uri: _uri, ...rest } = ACCOUNT;
    expect(parseServiceAccount(JSON.stringify(rest)).token_uri).toBe(GOOGLE_TOKEN_URI);
    expect(parseServiceAccount(JSON.stringify(ACCOUNT)).token_uri).toBe(ACCOUNT.token_uri);
  });

  it('refuses a file without client_email or private_key', () => {
    expect(() => parseServiceAccount(JSON.stringify({ client_email: 'x' }))).toThrow(/private_key/);
  });
});
