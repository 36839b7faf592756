import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { CommandIo } from '../../src/cli/command';
import { decryptCommand } from '../../src/cli/decrypt';
import { encryptCommand } from '../../src/cli/encrypt';
import { generateKeyPair } from '../../src/msc3013';
import { loadVectors } from '../msc3013/vectors';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(command: typeof encryptCommand, argv: string[], stdin = '', cwd = process.cwd()): Promise<Run> {
  const stdout = sink();
  const stderr = sink();
  const io: CommandIo = { stdin: Readable.from([Buffer.from(stdin)]), stdout: stdout.stream, stderr: stderr.stream, env: {}, cwd };
  const code = await command.run(argv, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const keys = generateKeyPair();
const notifyBody = {
  notification: {
    event_id: '$ev:example.org',
    room_id: '!room:example.org',
    content: { msgtype: 'm.text', body: 'Grüße 🚀' },
    counts: { unread: 2 },
    devices: [{ app_id: 'com.example.app.android', pushkey: 'token', data: { public_key: keys.publicKey } }],
  },
};
const { devices: _devices, ...secret } = notifyBody.notification;

describe('herald encrypt → herald decrypt', () => {
  test.each(['spec', 'libolm'])('round trip with the %s MAC', async (mac) => {
    const encrypted = await run(encryptCommand, ['--public-key', keys.publicKey, '--mac', mac], JSON.stringify(notifyBody));
    expect(encrypted.code).toBe(0);
    expect(encrypted.stderr).toContain(`${mac} MAC`);
    const body = JSON.parse(encrypted.stdout);
    expect(body.notification.devices[0].data).toEqual({ algorithm: 'm.curve25519-aes-sha2' });

    const decrypted = await run(decryptCommand, ['--private-key', keys.privateKey, '-'], encrypted.stdout);
    expect(decrypted.code).toBe(0);
    expect(JSON.parse(decrypted.stdout)).toEqual({ mac, plaintext: secret });
  });

  test('counts-only full adds plaintext counts', async () => {
    const encrypted = await run(encryptCommand, ['--public-key', keys.publicKey, '--counts-only', 'full'], JSON.stringify(notifyBody));
    expect(JSON.parse(encrypted.stdout).notification.counts).toEqual({ unread: 2 });
  });

  test('reads its input from a file relative to cwd', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'herald-encrypt-'));
    writeFileSync(join(folder, 'body.json'), JSON.stringify(notifyBody.notification));
    const encrypted = await run(encryptCommand, ['--public-key', keys.publicKey, 'body.json'], '', folder);
    expect(encrypted.code).toBe(0);
    expect(Object.keys(JSON.parse(encrypted.stdout).notification).sort()).toEqual(['ciphertext', 'devices', 'ephemeral', 'mac']);
  });
});

describe('herald decrypt finds the fields where providers put them', () => {
  const vector = loadVectors().find((v) => v.name === 'synapse_pr11512_realworld')!;
  const fields = { ephemeral: vector.ephemeral, ciphertext: vector.ciphertext, mac: vector.mac_spec };
  const expected = { mac: 'spec', plaintext: JSON.parse(vector.plaintext) };

  test.each([
    ['an APNs body (top level)', { aps: { alert: { body: 'New message' }, 'mutable-content': 1 }, ...fields }],
    ['an FCM v1 send request (message.data)', { message: { token: 't', data: fields, android: { priority: 'high' } } }],
    ['an FCM message object (data)', { token: 't', data: fields }],
    ['a notify body (notification)', { notification: { ...fields, devices: [] } }],
  ])('%s', async (_label, input) => {
    const result = await run(decryptCommand, ['--private-key', vector.recipient_private_key], JSON.stringify(input));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expected);
  });

  test('the libolm MAC is reported as such', async () => {
    const input = { ...fields, mac: vector.mac_libolm };
    const result = await run(decryptCommand, ['--private-key', vector.recipient_private_key], JSON.stringify(input));
    expect(JSON.parse(result.stdout).mac).toBe('libolm');
  });
});

describe('exit codes and messages', () => {
  const vector = loadVectors()[0];
  const fields = { ephemeral: vector.ephemeral, ciphertext: vector.ciphertext, mac: vector.mac_spec };

  test('a MAC matching neither variant: exit 1, one line naming the MAC', async () => {
    const result = await run(decryptCommand, ['--private-key', keys.privateKey], JSON.stringify(fields));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/mac matches neither variant/);
  });

  test('a malformed private key: exit 1', async () => {
    const result = await run(decryptCommand, ['--private-key', 'short'], JSON.stringify(fields));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/private key/);
  });

  test('input without an envelope: exit 1', async () => {
    const result = await run(decryptCommand, ['--private-key', vector.recipient_private_key], '{"aps":{}}');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no ephemeral\/ciphertext\/mac/);
  });

  test('an envelope missing its mac: exit 1 naming it', async () => {
    const { mac: _mac, ...withoutMac } = fields;
    const result = await run(decryptCommand, ['--private-key', vector.recipient_private_key], JSON.stringify(withoutMac));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no string mac/);
  });

  test('input that is not JSON: exit 1', async () => {
    const result = await run(encryptCommand, ['--public-key', keys.publicKey], 'not json');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot read JSON input/);
  });

  test('a public key of all zeros: exit 1', async () => {
    const zeros = 'A'.repeat(43);
    const result = await run(encryptCommand, ['--public-key', zeros], '{}');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/low-order/);
  });

  test.each([
    [encryptCommand, []],
    [encryptCommand, ['--public-key', 'k', '--mac', 'hmac']],
    [encryptCommand, ['--public-key', 'k', '--counts-only', 'some']],
    [encryptCommand, ['--public-key', 'k', '--unknown']],
    [decryptCommand, []],
    [decryptCommand, ['--private-key', 'k', 'a.json', 'b.json']],
  ])('usage errors exit 2 (%#)', async (command, argv) => {
    const result = await run(command, argv as string[], '{}');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--help/);
  });

  test.each([encryptCommand, decryptCommand])('--help prints usage and exits 0 ($name)', async (command) => {
    const result = await run(command, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(command.usage);
    expect(result.stdout).toMatch(new RegExp(`^Usage: herald ${command.name}`));
  });
});
