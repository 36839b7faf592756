/** APNs request checks, each answering with the status and `reason` Apple documents. */
import { IncomingHttpHeaders } from 'node:http2';

export interface ApnsRejection {
  status: number;
  reason: string;
}

const PUSH_TYPES = new Set([
  'alert', 'background', 'location', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'pushtotalk', 'widgets', 'controls',
]);
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Looser than Apple (64 hex digits) so readable failure tokens like `gone-device` work too. */
const TOKEN = /^[0-9A-Za-z]{1,512}$/;

export function checkHeaders(headers: IncomingHttpHeaders): ApnsRejection | undefined {
  const priority = header(headers, 'apns-priority');
  const pushType = header(headers, 'apns-push-type');
  if (priority !== undefined && !['1', '5', '10'].includes(priority)) return { status: 400, reason: 'BadPriority' };
  if (pushType !== undefined && !PUSH_TYPES.has(pushType)) return { status: 400, reason: 'InvalidPushType' };
  // Apple: background pushes must not use priority 10.
  if (pushType === 'background' && priority === '10') return { status: 400, reason: 'BadPriority' };
  const collapseId = header(headers, 'apns-collapse-id');
  if (collapseId !== undefined && Buffer.byteLength(collapseId, 'utf8') > 64) return { status: 400, reason: 'BadCollapseId' };
  const expiration = header(headers, 'apns-expiration');
  if (expiration !== undefined && !/^\d+$/.test(expiration)) return { status: 400, reason: 'BadExpirationDate' };
  const apnsId = header(headers, 'apns-id');
  if (apnsId !== undefined && !UUID.test(apnsId)) return { status: 400, reason: 'BadMessageId' };
  return undefined;
}

/** The body limit Apple applies for this push type. */
export function maxBodyBytes(headers: IncomingHttpHeaders, limit: number, voipLimit: number): number {
  return header(headers, 'apns-push-type') === 'voip' ? voipLimit : limit;
}

export type ParsedBody = { ok: true; payload: Record<string, unknown> } | ({ ok: false } & ApnsRejection);

/** `length` is the full body length when `body` was cut short while reading. */
export function parseBody(body: Buffer, maxBytes: number, length = body.length): ParsedBody {
  if (length === 0) return { ok: false, status: 400, reason: 'PayloadEmpty' };
  if (length > maxBytes) return { ok: false, status: 413, reason: 'PayloadTooLarge' };
  try {
    const payload: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
      return { ok: true, payload: payload as Record<string, unknown> };
    }
  } catch {
    // falls through: not UTF-8 JSON
  }
  // Apple documents no reason for malformed JSON; this simulator names it BadPayload.
  return { ok: false, status: 400, reason: 'BadPayload' };
}

export function checkToken(token: string): ApnsRejection | undefined {
  if (token === '') return { status: 400, reason: 'MissingDeviceToken' };
  return TOKEN.test(token) ? undefined : { status: 400, reason: 'BadDeviceToken' };
}

/** A certificate may push to its own topic and the VoIP/complication variants Apple derives from it. */
export function certificateAllowsTopic(certificateTopic: string, topic: string): boolean {
  return [certificateTopic, `${certificateTopic}.voip`, `${certificateTopic}.complication`].includes(topic);
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
