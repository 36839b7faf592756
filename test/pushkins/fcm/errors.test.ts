/**
 * The response table. Errors are shaped like firebase-admin 13's FirebaseMessagingError (a
 * `code` and a `message`: all it keeps); the integration tests produce the real ones.
 */
import { FCM_ERROR_TABLE, classifyFcmError, classifyInvalidArgument, classifyTokenFailure } from '../../../src/pushkins/fcm/errors';

const sdkError = (code: string, message = 'as FCM said it') => Object.assign(new Error(message), { code });

describe('classifyFcmError', () => {
  it.each([
    // code, what FCM answered, expected outcome kind, loud
    ['messaging/registration-token-not-registered', '404 UNREGISTERED', 'rejected', false],
    ['messaging/invalid-registration-token', 'InvalidRegistration', 'rejected', false],
    ['messaging/mismatched-credential', '403 SENDER_ID_MISMATCH / PERMISSION_DENIED', 'dropped', true],
    ['messaging/third-party-auth-error', '401 UNAUTHENTICATED', 'dropped', true],
    ['messaging/authentication-error', '401/403 without JSON', 'dropped', true],
    ['messaging/invalid-package-name', 'restricted_package_name mismatch', 'dropped', true],
    ['messaging/payload-size-limit-exceeded', 'MessageTooBig', 'dropped', false],
    ['messaging/invalid-data-payload-key', 'InvalidDataKey', 'dropped', false],
    ['messaging/invalid-payload', 'refused by the SDK before sending', 'dropped', true],
    ['messaging/message-rate-exceeded', '429 QUOTA_EXCEEDED', 'temporary', false],
    ['messaging/device-message-rate-exceeded', 'DeviceMessageRateExceeded', 'temporary', false],
    ['messaging/internal-error', '500 INTERNAL', 'temporary', false],
    ['messaging/server-unavailable', '503 UNAVAILABLE', 'temporary', false],
    ['messaging/unknown-error', 'an undocumented answer', 'temporary', false],
    ['app/network-error', 'connection refused / reset / TLS', 'temporary', false],
    ['app/network-timeout', 'no answer in 15 s', 'temporary', false],
    ['app/invalid-credential', 'the SDK failed to get a token', 'temporary', false],
  ])('%s (%s) → %s', (code, _answer, kind, loud) => {
    const verdict = classifyFcmError(sdkError(code));
    expect(verdict.outcome.kind).toBe(kind);
    expect(verdict.loud).toBe(loud);
    expect(verdict.code).toBe(code);
    expect(verdict.outcome.reason).toBe(`fcm:${code}`);
  });

  it('has a one-line reason for every row', () => {
    for (const row of Object.values(FCM_ERROR_TABLE)) expect(row.why.length).toBeGreaterThan(10);
  });

  it('passes Retry-After on to temporary outcomes only', () => {
    expect(classifyFcmError(sdkError('messaging/message-rate-exceeded'), { retryAfterMs: 2000 }).outcome)
      .toEqual({ kind: 'temporary', reason: 'fcm:messaging/message-rate-exceeded', retryAfterMs: 2000 });
    expect(classifyFcmError(sdkError('messaging/registration-token-not-registered'), { retryAfterMs: 2000 }).outcome)
      .toEqual({ kind: 'rejected', reason: 'fcm:messaging/registration-token-not-registered' });
  });

  it('calls a send cut at the deadline temporary whatever error the SDK made of it', () => {
    expect(classifyFcmError(sdkError('app/network-error'), { deadlineHit: true }).outcome).toEqual({ kind: 'temporary', reason: 'fcm_deadline' });
  });

  it('treats codes it does not know, and non-Firebase errors, as temporary', () => {
    expect(classifyFcmError(sdkError('messaging/something-new')).outcome.kind).toBe('temporary');
    expect(classifyFcmError(new TypeError('boom'))).toMatchObject({ outcome: { kind: 'temporary' }, code: 'unexpected' });
    expect(classifyFcmError(undefined).outcome.kind).toBe('temporary');
  });
});

describe('INVALID_ARGUMENT: rejected only when it concerns the registration token', () => {
  it.each([
    ['The registration token is not a valid FCM registration token', 'rejected'],
    ["Invalid value at 'message.token' (TYPE_STRING)", 'rejected'],
    ['Invalid registration_token', 'rejected'],
    ['Android message is too big', 'dropped'],
    ["Invalid value at 'message.android.ttl'", 'dropped'],
    ['Invalid data payload key: from', 'dropped'],
    ['Request contains an invalid argument.', 'dropped'],
  ])('%s → %s', (message, kind) => {
    expect(classifyInvalidArgument(message).outcome.kind).toBe(kind);
    expect(classifyFcmError(sdkError('messaging/invalid-argument', message)).outcome.kind).toBe(kind);
  });
});

describe('classifyTokenFailure', () => {
  it('drops loudly when the token endpoint refuses the grant: a config problem, not a dead token', () => {
    expect(classifyTokenFailure({ kind: 'refused', status: 400, reason: 'invalid_grant' }))
      .toEqual({ outcome: { kind: 'dropped', reason: 'oauth_refused_400' }, loud: true, code: 'oauth/refused' });
  });

  it('is temporary when the endpoint is unavailable, keeping its Retry-After', () => {
    expect(classifyTokenFailure({ kind: 'unavailable', status: 503, reason: 'x', retryAfterMs: 3000 }).outcome)
      .toEqual({ kind: 'temporary', reason: 'oauth_unavailable', retryAfterMs: 3000 });
    expect(classifyTokenFailure({ kind: 'unavailable', reason: 'ECONNREFUSED' })).toMatchObject({ outcome: { kind: 'temporary' }, loud: false });
  });
});
