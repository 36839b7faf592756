/**
 * The contract's metric families (section 8), registered on a registry passed in.
 * Labels carry configured app keys or fixed words only, never client-supplied strings.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** 1 ms – 30 s: from a warm HTTP/2 round trip to a request that hit its deadline. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

export function createMetrics(registry: Registry, options: { defaultMetrics?: boolean } = {}) {
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const reg = [registry];
  return {
    registry,
    notificationsReceived: new Counter({ name: 'herald_notifications_received_total', help: 'Notify requests received', registers: reg }),
    devicesReceived: new Counter({ name: 'herald_devices_received_total', help: 'Devices in notify requests', registers: reg }),
    httpResponses: new Counter({ name: 'herald_http_responses_total', help: 'Notify responses by status', labelNames: ['code'] as const, registers: reg }),
    notifyDuration: new Histogram({
      name: 'herald_notify_duration_seconds', help: 'Notify request duration', labelNames: ['code'] as const, buckets: LATENCY_BUCKETS, registers: reg,
    }),
    requestsInFlight: new Gauge({ name: 'herald_requests_in_flight', help: 'Notify requests in flight', registers: reg }),
    pushes: new Counter({
      name: 'herald_pushes_total', help: 'Pushes by final outcome', labelNames: ['app', 'backend', 'outcome'] as const, registers: reg,
    }),
    providerResponses: new Counter({
      name: 'herald_provider_responses_total', help: 'Provider answers per attempt', labelNames: ['app', 'backend', 'code'] as const, registers: reg,
    }),
    pushDuration: new Histogram({
      name: 'herald_push_duration_seconds', help: 'One provider attempt', labelNames: ['backend'] as const, buckets: LATENCY_BUCKETS, registers: reg,
    }),
    payloadFits: new Counter({ name: 'herald_payload_fits_total', help: 'How payloads were fitted to the limit', labelNames: ['app', 'fit'] as const, registers: reg }),
    inflightLimitDrops: new Counter({
      name: 'herald_inflight_limit_drops_total', help: 'Sends refused by an app in-flight limit', labelNames: ['app'] as const, registers: reg,
    }),
    dedupFallback: new Counter({
      name: 'herald_dedup_fallback_total',
      help: 'Push-memory operations answered by the in-process fallback because the shared store (Redis or the cluster primary) failed',
      labelNames: ['op'] as const,
      registers: reg,
    }),
    apnsCertificateExpiry: new Gauge({
      name: 'herald_apns_certificate_expiry_timestamp_seconds', help: 'APNs client certificate notAfter', labelNames: ['app'] as const, registers: reg,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
