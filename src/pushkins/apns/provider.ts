/**
 * The node-apn Provider for one app, from its config. File paths are already absolute here.
 *
 * Where the connection goes: node-apn derives "production" from its `address` (any address but
 * Apple's production host counts as sandbox) and checks a client certificate's environment
 * against it, so pointing `address` at an `endpoint` would refuse a production certificate sent
 * to a relay. Instead `address` stays Apple's host for the app's `platform` (the HTTP/2
 * `:authority`), and `createConnection` dials the `endpoint` (directly or through the proxy)
 * with the app's `ca_file` and client certificate.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Provider, type ProviderOptions } from '@parse/node-apn';
import type { ApnsAppConfig } from '../../config/schema';
import { type TlsTarget, connectTls } from './tunnel';

const APPLE_HOSTS = { production: 'api.push.apple.com', sandbox: 'api.sandbox.push.apple.com' } as const;

/**
 * node-apn's own per-stream idle timeout. The pushkin also abandons an attempt at the request
 * deadline; this bounds how long such an abandoned stream can linger on the session.
 */
export const APNS_STREAM_TIMEOUT_MS = 10_000;

export interface ProviderSetup {
  options: ProviderOptions;
  /** Certificate auth: the client certificate's notAfter. */
  certificateNotAfter?: Date;
}

export type ReadText = (path: string) => string;
const readText: ReadText = (path) => readFileSync(path, 'utf8');

export function apnsProviderSetup(app: ApnsAppConfig, proxy: string | undefined, read: ReadText = readText): ProviderSetup {
  const target: TlsTarget = { ...endpointOf(app), ...(app.ca_file ? { ca: [read(app.ca_file)] } : {}) };
  const base = {
    production: app.platform === 'production',
    address: APPLE_HOSTS[app.platform],
    // Its retries fire at once and miss HTTP/2's lower-case retry-after: backoff is ours.
    connectionRetryLimit: 0,
    requestTimeout: APNS_STREAM_TIMEOUT_MS,
  };

  if (app.keyfile !== undefined) {
    if (app.key_id === undefined || app.team_id === undefined) throw new Error('token auth needs keyfile, key_id and team_id');
    const token = { key: read(app.keyfile), keyId: app.key_id, teamId: app.team_id };
    return { options: withConnection({ ...base, token }, target, proxy) };
  }
  if (app.certfile === undefined) throw new Error('an APNs app needs keyfile (token auth) or certfile (certificate auth)');
  const { certPem, keyPem } = splitCertfile(read(app.certfile));
  return {
    options: withConnection({ ...base, cert: certPem, key: keyPem }, { ...target, cert: certPem, key: keyPem }, proxy),
    certificateNotAfter: new Date(new X509Certificate(certPem).validTo),
  };
}

export function createApnsProvider(setup: ProviderSetup): Provider {
  return new Provider(setup.options);
}

/** Where to dial: the configured endpoint, else Apple's host for the platform. */
export function endpointOf(app: ApnsAppConfig): { host: string; port: number } {
  if (app.endpoint === undefined) return { host: APPLE_HOSTS[app.platform], port: 443 };
  const url = new URL(app.endpoint);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 443 : Number(url.port) };
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

/** Sygnal's certfile holds the certificate (chain) and its private key in one PEM file. */
export function splitCertfile(pem: string): { certPem: string; keyPem: string } {
  const certificates = pem.match(CERTIFICATE_BLOCK);
  const key = KEY_BLOCK.exec(pem);
  if (!certificates || !key) throw new Error('certfile must hold a PEM certificate and its private key');
  return { certPem: certificates.join('\n') + '\n', keyPem: key[0] + '\n' };
}

function withConnection(options: ProviderOptions, dial: TlsTarget, proxy: string | undefined): ProviderOptions {
  // Passed through node-apn's config to http2.connect, which then uses no TLS options of its own.
  const createConnection = () => connectTls(dial, proxy);
  return { ...options, createConnection } as ProviderOptions;
}
