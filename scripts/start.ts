/**
 * `npm start`: the embedded default. Starts the local APNs and FCM simulators on the demo
 * material, then the gateway on the repository's apps.config.json (whose demo apps point at
 * the simulators), and prints curl lines that deliver notifications end to end.
 */
import { resolve } from 'node:path';
import { startSimulators } from '../src/cli/simulate';
import { loadConfig } from '../src/config/load';
import { ConfigError } from '../src/config/problems';
import { startGateway } from '../src/gateway';
import { createLogger } from '../src/observability/logger';

const root = resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const sims = await startSimulators({ materialDir: resolve(root, 'simulator'), log: (line) => console.log(`[simulator] ${line}`) });
  let loaded;
  try {
    loaded = loadConfig(resolve(root, 'apps.config.json'));
  } catch (err) {
    await sims.close();
    throw err;
  }
  const gateway = await startGateway(loaded, { log: createLogger(loaded.config.log) });
  const url = `${gateway.urls[0]}/_matrix/push/v1/notify`;
  const iosPushkey = Buffer.from('herald demo iOS device token 32b').toString('base64');
  const body = (appId: string, pushkey: string) =>
    JSON.stringify({
      notification: {
        event_id: '$demo-event', room_id: '!demo:example.org', type: 'm.room.message', sender: '@alice:example.org',
        sender_display_name: 'Alice', room_name: 'Demo room', prio: 'high', counts: { unread: 2 },
        content: { msgtype: 'm.text', body: 'Hello from Herald' },
        devices: [{ app_id: appId, pushkey }],
      },
    });
  const curl = (appId: string, pushkey: string) => `curl -s -H 'Content-Type: application/json' -d '${body(appId, pushkey)}' ${url}`;
  console.log(`
Herald is running on the demo config (simulators only; no real APNs/FCM credentials).
  gateway: ${gateway.urls.join(', ')}   metrics: ${gateway.metricsUrl ?? 'disabled'}

Deliver a notification to the demo iOS app (APNs simulator):
  ${curl('org.herald.demo.ios', iosPushkey)}

... and to the demo Android app (FCM simulator):
  ${curl('org.herald.demo.android', 'demo-android-registration-token')}

Each answers {"rejected":[]} and the simulator prints what it received. Ctrl-C stops everything.
For an encrypted (MSC3013) push, see "Encrypted push" in README.md.
`);
  const stop = async () => {
    await gateway.shutdown(2000);
    await sims.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
