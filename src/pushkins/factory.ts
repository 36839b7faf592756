/** The static map from an app's `type` to the pushkin that serves it. */
import type { AppConfig, HeraldConfig } from '../config/schema';
import { createApnsPushkin } from './apns';
import { createFcmPushkin } from './fcm';
import { withInflightLimit } from './limit';
import type { Pushkin, PushkinDeps } from './pushkin';

type Factory = (appId: string, app: AppConfig, deps: PushkinDeps) => Pushkin;

const FACTORIES: Record<AppConfig['type'], Factory> = {
  apns: (id, app, deps) => createApnsPushkin(id, app as Extract<AppConfig, { type: 'apns' }>, deps),
  fcm: (id, app, deps) => createFcmPushkin(id, app as Extract<AppConfig, { type: 'fcm' | 'gcm' }>, deps),
  gcm: (id, app, deps) => createFcmPushkin(id, app as Extract<AppConfig, { type: 'fcm' | 'gcm' }>, deps),
};

export function createPushkins(config: HeraldConfig, deps: PushkinDeps): Pushkin[] {
  return Object.entries(config.apps).map(([appId, app]) =>
    withInflightLimit(FACTORIES[app.type](appId, app, deps), app.inflight_request_limit, () =>
      deps.metrics.inflightLimitDrops.inc({ app: appId }),
    ),
  );
}
