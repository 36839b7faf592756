/** FCM HTTP v1 answers: Google's error envelope and the message checks FCM makes. */
import { dataBytes } from './record';

export interface FcmAnswer {
  status: number;
  body: unknown;
  /** FCM `errorCode` (or canonical `status` when there is none); undefined on success. */
  reason?: string;
}

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

/** Google's error shape; `errorCode` adds the FcmError detail firebase-admin reads first. */
export function fcmError(code: number, status: string, message: string, errorCode?: string): FcmAnswer {
  const details = errorCode ? [{ '@type': FCM_ERROR_TYPE, errorCode }] : [];
  return { status: code, body: { error: { code, message, status, details } }, reason: errorCode ?? status };
}

export const FCM_ERRORS = {
  unauthenticated: () =>
    fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.'),
  permissionDenied: (project: string) =>
    fcmError(403, 'PERMISSION_DENIED', `Permission 'cloudmessaging.messages.create' denied on resource 'projects/${project}'.`),
  badToken: () =>
    fcmError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT'),
  unregistered: () => fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'),
  quotaExceeded: () => fcmError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for this device.', 'QUOTA_EXCEEDED'),
  internal: () => fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'),
  unavailable: () => fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'),
  senderIdMismatch: () => fcmError(403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH'),
  invalidArgument: (message: string) => fcmError(400, 'INVALID_ARGUMENT', message, 'INVALID_ARGUMENT'),
  notFound: (path: string) => fcmError(404, 'NOT_FOUND', `The requested URL ${path} was not found on this server.`),
};

export function success(project: string, messageId: string): FcmAnswer {
  return { status: 200, body: { name: `projects/${project}/messages/${messageId}` } };
}

/** Reserved data keys: FCM refuses these. */
function isReservedKey(key: string): boolean {
  return key === 'from' || key === 'message_type' || key.startsWith('google') || key.startsWith('gcm');
}

export interface ValidMessage {
  token: string;
  data: Record<string, string>;
  dryRun: boolean;
}

/** Checks a send request body; the first problem found is answered 400 INVALID_ARGUMENT. */
export function validateSendBody(body: unknown, maxDataBytes: number): { ok: true; message: ValidMessage } | { ok: false; answer: FcmAnswer } {
  const fail = (message: string) => ({ ok: false as const, answer: FCM_ERRORS.invalidArgument(message) });
  if (typeof body !== 'object' || body === null) return fail('Invalid JSON payload received.');
  const message = (body as Record<string, unknown>).message;
  if (typeof message !== 'object' || message === null) return fail('Invalid JSON payload received. Missing "message".');
  const { token, data = {}, android } = message as Record<string, unknown>;
  if (typeof token !== 'string') return fail('Recipient of the message is not set (this simulator needs message.token).');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail("Invalid value at 'message.data'.");
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') return fail(`Invalid value at 'message.data[${key}].value' (TYPE_STRING), ${JSON.stringify(value)}`);
    if (isReservedKey(key)) return fail(`Invalid data payload key: ${key}`);
  }
  if (dataBytes(data) > maxDataBytes) return fail('Android message is too big');
  const androidProblem = checkAndroidConfig(android);
  if (androidProblem) return fail(androidProblem);
  return {
    ok: true,
    message: { token, data: data as Record<string, string>, dryRun: (body as Record<string, unknown>).validate_only === true },
  };
}

function checkAndroidConfig(android: unknown): string | undefined {
  if (android === undefined) return undefined;
  if (typeof android !== 'object' || android === null) return "Invalid value at 'message.android'.";
  const { priority, ttl } = android as Record<string, unknown>;
  if (priority !== undefined && !['normal', 'high', 'NORMAL', 'HIGH'].includes(String(priority))) {
    return `Invalid value at 'message.android.priority', ${JSON.stringify(priority)}`;
  }
  // A google.protobuf.Duration in JSON: seconds with up to 9 decimals and an "s".
  if (ttl !== undefined && (typeof ttl !== 'string' || !/^\d+(\.\d{1,9})?s$/.test(ttl))) {
    return `Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(ttl)}`;
  }
  return undefined;
}
