import { parseArgs } from 'node:util';
import { decrypt, EncryptedPayload } from '../msc3013';
import { Command, CommandIo, readJsonInput, reportProblem } from './command';

const usage = `Usage: herald decrypt --private-key KEY [FILE|-]

Decrypts an MSC3013 (m.curve25519-aes-sha2) push the way an app would, to check what a
homeserver or gateway sent. Reads JSON from FILE, or stdin when FILE is "-" or absent, and finds
"ephemeral", "ciphertext" and "mac" in the first of these places that has them:
  - the top level (an APNs body, or an FCM data map as the app receives it)
  - "notification" (a notify body a homeserver posts to the gateway)
  - "message.data" (an FCM v1 send request)
  - "data" (an FCM message object)
Prints {"mac": "spec"|"libolm", "plaintext": <the decrypted JSON>}. Both MAC variants are
accepted: spec (HMAC over the ciphertext, as MSC3013 says) and libolm (HMAC over the empty
string, as libolm's PkEncryption writes); "mac" says which one the payload carried.

Options:
  --private-key KEY   the device's curve25519 private key, unpadded base64 (required)
  -h, --help          show this help

Exit status: 0 decrypted, 1 nothing to decrypt or decryption failed (the message says why),
2 usage error.
`;

export const decryptCommand: Command = {
  name: 'decrypt',
  summary: 'decrypt an MSC3013 push (APNs body, FCM message or notify body)',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const parsed = parseOptions(argv);
    if (typeof parsed === 'string') return reportProblem(io, 'decrypt', parsed, 'usage');
    if (parsed.help) {
      io.stdout.write(usage);
      return 0;
    }

    const read = await readJsonInput(parsed.file, io);
    if ('problem' in read) return failure(io, read.problem);
    const input: unknown = read.json;
    const envelope = findEnvelope(input);
    if (typeof envelope === 'string') return failure(io, envelope);

    let result: ReturnType<typeof decrypt>;
    try {
      result = decrypt(envelope, parsed.privateKey);
    } catch (error) {
      return failure(io, `cannot decrypt: ${(error as Error).message}`);
    }

    let plaintext: unknown;
    try {
      plaintext = JSON.parse(result.plaintext);
    } catch {
      // Authentic but not JSON: still show it, as text, rather than hide what was sent.
      plaintext = result.plaintext;
      io.stderr.write('herald decrypt: note: the plaintext is not JSON; printed as a string\n');
    }
    io.stdout.write(JSON.stringify({ mac: result.mac, plaintext }, null, 2) + '\n');
    return 0;
  },
};

/** The envelope's fields, or why none could be found. */
function findEnvelope(input: unknown): EncryptedPayload | string {
  const places: Array<[string, unknown]> = [
    ['the top level', input],
    ['notification', field(input, 'notification')],
    ['message.data', field(field(input, 'message'), 'data')],
    ['data', field(input, 'data')],
  ];
  for (const [where, candidate] of places) {
    if (field(candidate, 'ciphertext') === undefined) continue;
    const missing = ['ephemeral', 'ciphertext', 'mac'].filter((key) => typeof field(candidate, key) !== 'string');
    if (missing.length > 0) return `${where} has a ciphertext but no string ${missing.join(', ')}`;
    const { ephemeral, ciphertext, mac } = candidate as Record<string, string>;
    return { ephemeral, ciphertext, mac };
  }
  return 'no ephemeral/ciphertext/mac at the top level, under notification, message.data or data';
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[key];
}

function parseOptions(argv: string[]): { help: boolean; privateKey: string; file: string | undefined } | string {
  let values: { 'private-key'?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'private-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help === true) return { help: true, privateKey: '', file: undefined };
  if (values['private-key'] === undefined) return '--private-key is required';
  if (positionals.length > 1) return 'at most one input file';
  return { help: false, privateKey: values['private-key'], file: positionals[0] };
}

const failure = (io: CommandIo, problem: string): number => reportProblem(io, 'decrypt', problem);
