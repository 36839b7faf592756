import type { ResponseFailure } from '@parse/node-apn';
import { REASON_TABLE, classifyFailure } from '../../../src/pushkins/apns/reasons';

const DEVICE = 'abcd';

/** The failure shapes node-apn 8 produces (see reasons.ts), built the way its client.js builds them. */
const withReason = (status: number, reason: string): ResponseFailure => ({ device: DEVICE, status, response: { reason } });
const withError = (message: string, status?: number): ResponseFailure => ({ device: DEVICE, error: new Error(message), ...(status ? { status } : {}) });

describe('classifyFailure: answers with a reason', () => {
  it.each([
    [410, 'Unregistered', 'rejected'],
    [410, 'ExpiredToken', 'rejected'],
    [400, 'BadDeviceToken', 'rejected'],
    [400, 'DeviceTokenNotForTopic', 'rejected'],
    [400, 'TopicDisallowed', 'rejected'],
    [429, 'TooManyRequests', 'temporary'],
    [500, 'InternalServerError', 'temporary'],
    [503, 'ServiceUnavailable', 'temporary'],
    [503, 'Shutdown', 'temporary'],
    [403, 'InvalidProviderToken', 'dropped'],
    [403, 'Forbidden', 'dropped'],
    [403, 'BadCertificate', 'dropped'],
    [403, 'BadCertificateEnvironment', 'dropped'],
    [403, 'MissingProviderToken', 'dropped'],
    [413, 'PayloadTooLarge', 'dropped'],
    [400, 'MissingTopic', 'dropped'],
    [400, 'BadPriority', 'dropped'],
    [400, 'BadCollapseId', 'dropped'],
    [400, 'SomethingApple adds later', 'dropped'],
    [404, 'BadPath', 'dropped'],
    [405, 'MethodNotAllowed', 'dropped'],
    [502, 'BadGateway', 'temporary'],
  ])('%i %s → %s', (status, reason, kind) => {
    const verdict = classifyFailure(withReason(status, reason));
    expect(verdict.outcome).toEqual({ kind, reason: `${status} ${reason}` });
    expect(verdict.code).toBe(String(status));
    expect(verdict.retryOnce).toBeUndefined();
  });

  it('agrees with the table for every row, and every row says why', () => {
    for (const [reason, row] of Object.entries(REASON_TABLE)) {
      expect(row.why.length).toBeGreaterThan(10);
      expect(classifyFailure(withReason(400, reason)).outcome.kind).toBe(row.kind);
    }
  });
});

describe('classifyFailure: node-apn shapes without a response body', () => {
  it('403 ExpiredProviderToken (reason in error.message) is dropped but worth one retry', () => {
    const verdict = classifyFailure(withError('ExpiredProviderToken', 403));
    expect(verdict).toEqual({ outcome: { kind: 'dropped', reason: '403 ExpiredProviderToken' }, code: '403', retryOnce: true });
  });

  it('500 whose reason node-apn replaced with prose is temporary', () => {
    expect(classifyFailure(withError('Error 500, stream ended unexpectedly', 500))).toEqual({
      outcome: { kind: 'temporary', reason: '500' },
      code: '500',
    });
  });

  it.each([
    ['stream ended unexpectedly with status 503 and empty body', 'temporary', '503'],
    ['stream ended unexpectedly with status 429 and empty body', 'temporary', '429'],
    ['stream ended unexpectedly with status 410 and empty body', 'rejected', '410'],
    ['stream ended unexpectedly with status 403 and empty body', 'dropped', '403'],
  ])('an empty-body answer ("%s") is classified by its status', (message, kind, code) => {
    const verdict = classifyFailure(withError(message));
    expect(verdict.outcome.kind).toBe(kind);
    expect(verdict.code).toBe(code);
  });

  it.each([
    ['apn write timeout', 'timeout'],
    ['apn write failed: connect ECONNREFUSED 127.0.0.1:1', 'connection_error'],
    ['apn write aborted', 'connection_error'],
    ['client is destroyed', 'connection_error'],
    ['Unexpected error processing APNs response', 'connection_error'],
  ])('"%s" is temporary with code %s', (message, code) => {
    expect(classifyFailure(withError(message))).toEqual({ outcome: { kind: 'temporary', reason: code }, code });
  });

  it('a prose error message that happens to name a table reason is not read as an APNs answer without a status', () => {
    expect(classifyFailure(withError('Unregistered')).outcome.kind).toBe('temporary');
  });
});
