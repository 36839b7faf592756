/**
 * What a SIGHUP reload can and cannot change. Apps, proxy and per-request limits apply at once;
 * listeners, logging and the dedup memory were set up at start and need a restart.
 */
import type { HeraldConfig } from './schema';

/** The settings whose change a reload cannot apply, named as in the config file. */
export function settingsNeedingRestart(running: HeraldConfig, next: HeraldConfig): string[] {
  const fixed: Array<[string, unknown, unknown]> = [
    ['http.bind_addresses', running.http.bind_addresses, next.http.bind_addresses],
    ['http.port', running.http.port, next.http.port],
    ['http.workers', running.http.workers, next.http.workers],
    ['log', running.log, next.log],
    ['metrics', running.metrics, next.metrics],
    ['dedup', running.dedup, next.dedup],
  ];
  return fixed.filter(([, before, after]) => JSON.stringify(before) !== JSON.stringify(after)).map(([name]) => name);
}

/** Apps whose certificate-expiry gauge must go: gone, or no longer on certificate auth. */
export function appsLosingCertificate(running: HeraldConfig, next: HeraldConfig): string[] {
  return Object.entries(running.apps)
    .filter(([, app]) => app.type === 'apns' && app.certfile !== undefined)
    .filter(([id]) => {
      const after = next.apps[id];
      return after === undefined || after.type !== 'apns' || after.certfile === undefined;
    })
    .map(([id]) => id);
}
