/**
 * The single source of Herald's configuration: option names, types, defaults and their
 * documentation. docs/configuration.md is checked against this file by a test.
 * Names marked (Sygnal) keep Sygnal's spelling so its `apps` section moves over unchanged.
 */
import { z } from 'zod';

const countsOnlyType = z
  .enum(['none', 'boolean', 'full'])
  .default('none')
  .describe('How much unread state a push that cannot carry its content may show in plaintext (contract section 5).');

const jsonObject = z.record(z.string(), z.unknown());

const commonApp = {
  send_badge_counts: z.boolean().default(true).describe('(Sygnal) Put unread + missed_calls into the badge.'),
  inflight_request_limit: z.number().int().positive().default(512).describe('(Sygnal) Sends in flight for this app before requests get 503.'),
  counts_only_type: countsOnlyType,
  max_payload_bytes: z.number().int().min(256).max(4096).default(4096).describe('Largest payload sent; pushes are fitted to it.'),
  default_payload: jsonObject.default({}).describe('Merged under every payload (device data may add its own).'),
  endpoint: z.url().optional().describe('Replaces the provider host (simulator, relay); https URL.'),
  ca_file: z.string().min(1).optional().describe('Extra CA (PEM) trusted for this app\'s endpoint and token URI.'),
};

export const apnsAppSchema = z
  .strictObject({
    type: z.literal('apns'),
    platform: z.enum(['production', 'sandbox']).default('production').describe('(Sygnal) APNs environment.'),
    keyfile: z.string().min(1).optional().describe('(Sygnal) Token auth: the .p8 key file.'),
    key_id: z.string().min(1).optional().describe('(Sygnal) Token auth: the key id.'),
    team_id: z.string().min(1).optional().describe('(Sygnal) Token auth: the team id.'),
    certfile: z.string().min(1).optional().describe('(Sygnal) Certificate auth: PEM with certificate and private key.'),
    topic: z.string().min(1).optional().describe('(Sygnal) apns-topic, usually the bundle id. Required with token auth.'),
    push_type: z
      .enum(['alert', 'background', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity'])
      .optional()
      .describe('(Sygnal) apns-push-type for plain pushes; default alert (background frames always use background).'),
    convert_device_token_to_hex: z.boolean().default(true).describe('(Sygnal) Pushkeys are base64 of the token bytes.'),
    ...commonApp,
  })
  .describe('An APNs app.');

export const fcmAppSchema = z
  .strictObject({
    type: z.enum(['fcm', 'gcm']).describe('"gcm" is accepted as an alias (Sygnal).'),
    api_version: z.literal('v1').optional().describe('(Sygnal) Only the HTTP v1 API exists; the legacy API is gone.'),
    project_id: z.string().min(1).optional().describe('(Sygnal) Firebase project; defaults to the service account\'s.'),
    service_account_file: z.string().min(1).describe('(Sygnal) Service account JSON.'),
    fcm_options: jsonObject.default({}).describe('(Sygnal) Merged into every v1 message; validated at start-up.'),
    max_connections: z.number().int().positive().default(20).describe('(Sygnal) Sends to FCM in flight at once.'),
    ...commonApp,
  })
  .describe('An FCM app.');

export const appSchema = z.discriminatedUnion('type', [apnsAppSchema, fcmAppSchema]);

export const httpSchema = z
  .strictObject({
    bind_addresses: z.array(z.string().min(1)).min(1).default(['127.0.0.1']),
    port: z.number().int().min(0).max(65535).default(5000),
    workers: z.number().int().min(1).max(64).default(1).describe('Processes (node:cluster) sharing the port.'),
    max_body_bytes: z.number().int().positive().default(524288),
    max_devices: z.number().int().positive().default(1000),
    max_inflight_requests: z.number().int().positive().default(2000),
    request_timeout_ms: z.number().int().positive().default(20000),
  })
  .prefault({});

export const logSchema = z
  .strictObject({
    level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    format: z.enum(['json', 'pretty']).default('json'),
  })
  .prefault({});

export const metricsSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    bind_address: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(9464),
  })
  .prefault({});

export const dedupSchema = z
  .strictObject({
    ttl_seconds: z.number().int().positive().default(900),
    max_entries: z.number().int().positive().default(100000),
    redis_url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  })
  .prefault({});

export const configSchema = z.strictObject({
  http: httpSchema,
  log: logSchema,
  metrics: metricsSchema,
  proxy: z.string().regex(/^https?:\/\//, 'must be an http:// URL of a CONNECT proxy').optional(),
  dedup: dedupSchema,
  apps: z.record(z.string().min(1), appSchema),
});

export type HeraldConfig = z.infer<typeof configSchema>;
export type AppConfig = z.infer<typeof appSchema>;
export type ApnsAppConfig = z.infer<typeof apnsAppSchema>;
export type FcmAppConfig = z.infer<typeof fcmAppSchema>;
export type CountsOnlyType = z.infer<typeof countsOnlyType>;
