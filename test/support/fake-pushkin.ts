/** A scripted Pushkin for tests of everything above the transports. */
import type { Device, Notification } from '../../src/notification';
import type { Backend, Outcome, Pushkin, SendContext } from '../../src/pushkins/pushkin';

export interface FakePushkin extends Pushkin {
  sent: Array<{ notification: Notification; device: Device }>;
}

/** `script(device)` decides each outcome; it may wait to simulate a slow provider. */
export function fakePushkin(
  appId: string,
  script: (device: Device, ctx: SendContext) => Outcome | Promise<Outcome> = () => ({ kind: 'delivered', fit: 'full' }),
  backend: Backend = 'apns',
): FakePushkin {
  const sent: FakePushkin['sent'] = [];
  return {
    appId,
    backend,
    sent,
    async send(notification, device, ctx) {
      sent.push({ notification, device });
      return script(device, ctx);
    },
    async close() {},
  };
}
