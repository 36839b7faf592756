import { mkdtemp, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { encrypt } from '../../src/msc3013';
import { CommandIo } from '../../src/cli/command';
import { simulateCommand } from '../../src/cli/simulate';
import { MATERIAL_TIMEOUT_MS, fetchAccessToken, h2Request, httpsRequest, providerToken } from './fixtures';
import { DEMO, loadDemoMaterial } from '../../src/simulators/demo-material';

describe('herald simulate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-simulate-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const io = (stdout: PassThrough, stderr = new PassThrough()): CommandIo => ({
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: {},
    cwd: dir,
  });

  it('refuses a malformed port', async () => {
    const stderr = new PassThrough();
    expect(await simulateCommand.run(['--apns-port', 'x'], io(new PassThrough(), stderr))).toBe(2);
    expect(String(stderr.read())).toContain('port');
  });

  it('creates the demo material, serves both simulators, logs pushes, and stops on SIGTERM', async () => {
    const stdout = new PassThrough();
    let output = '';
    stdout.on('data', (chunk) => (output += String(chunk)));
    const exited = simulateCommand.run(['--apns-port', '0', '--fcm-port', '0', '--material', 'demo'], io(stdout));
    await until(() => output.includes('press Ctrl-C'));

    const material = await loadDemoMaterial(join(dir, 'demo'));
    const apnsUrl = /APNs simulator listening on (\S+)/.exec(output)![1];
    const tokenUri = /token endpoint (\S+?)\)/.exec(output)![1];
    expect(output).toContain("note: the demo service account's token_uri is https://127.0.0.1:8444/token");

    const session = http2.connect(apnsUrl, { ca: material.ca.certPem });
    const key = { keyId: DEMO.apnsKeyId, privateKeyPem: material.apnsAuthKey.privateKeyPem, publicKeyPem: '' };
    const body = JSON.stringify({ aps: { 'mutable-content': 1 }, ...encrypt({ secret: 'shown' }, material.msc3013Key.publicKey) });
    const headers = { authorization: `bearer ${providerToken(key, DEMO.apnsTeamId)}`, 'apns-topic': material.apnsTopic };
    expect((await h2Request(session, `/3/device/gone${'0'.repeat(60)}`, headers, body)).status).toBe(410);
    session.close();

    const granted = JSON.parse((await fetchAccessToken(material.serviceAccount, tokenUri, material.ca.certPem)).body);
    const sent = await httpsRequest(tokenUri.replace('/token', `/v1/projects/${DEMO.fcmProjectId}/messages:send`), {
      ca: material.ca.certPem,
      headers: { authorization: `Bearer ${granted.access_token}` },
      body: JSON.stringify({ message: { token: 'device-1', data: { unread: '1' } } }),
    });
    expect(sent.status).toBe(200);

    await until(() => output.includes('[fcm] 200'));
    expect(output).toMatch(/\[apns\] 410 Unregistered token=gone0000…\(64\) bytes=\d+ decrypted\(spec mac\)=\{"secret":"shown"\}/);

    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: stopping');
  }, MATERIAL_TIMEOUT_MS);
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
