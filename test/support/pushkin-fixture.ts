/** What the APNs and FCM pushkin tests share: a plain message, a send context, response codes. */
import type { Device, PlainNotification } from '../../src/notification';
import type { Metrics } from '../../src/observability/metrics';
import type { PushkinDeps, SendContext } from '../../src/pushkins/pushkin';

export function message(device: Device, extra: Partial<PlainNotification> = {}): PlainNotification {
  return {
    event_id: '$event1',
    room_id: '!room:example.org',
    type: 'm.room.message',
    sender: '@alice:example.org',
    sender_display_name: 'Alice',
    content: { msgtype: 'm.text', body: 'Hello there' },
    counts: { unread: 2 },
    devices: [device],
    ...extra,
  };
}

export function contextFor(deadlineInMs: number, deps: Pick<PushkinDeps, 'log'>): SendContext {
  return { deadline: Date.now() + deadlineInMs, requestId: 'req-test', log: deps.log };
}

/** herald_provider_responses_total by code, for one app. */
export async function responseCodes(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.providerResponses.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.code), v.value]));
}
