import { parseArgs } from 'node:util';
import { CountsOnlyType, encryptNotifyBody, MacVariant } from '../msc3013';
import { Command, CommandIo, readJsonInput, reportProblem } from './command';

const MAC_VARIANTS: readonly MacVariant[] = ['spec', 'libolm'];
const COUNTS_ONLY_TYPES: readonly CountsOnlyType[] = ['none', 'boolean', 'full'];

const usage = `Usage: herald encrypt --public-key KEY [--mac spec|libolm] [--counts-only none|boolean|full] [FILE|-]

Encrypts a notification as an MSC3013 homeserver would (m.curve25519-aes-sha2), for testing a
gateway or an app. Reads a notify body {"notification": {...}} or a bare notification object from
FILE, or stdin when FILE is "-" or absent, and prints the notify body the homeserver would post:
every notification field except "devices" is replaced by "ephemeral", "ciphertext" and "mac".
Devices lose "public_key"/"counts_only_type" from their data (the homeserver keeps those) and get
"algorithm": "m.curve25519-aes-sha2" when they have none.

Options:
  --public-key KEY      the device's curve25519 public key, unpadded base64 (required)
  --mac spec|libolm     which MAC to write (default: spec)
                          spec    HMAC-SHA-256 over the ciphertext, as MSC3013 and its
                                  reference homeserver do
                          libolm  HMAC-SHA-256 over the empty string, as libolm's PkEncryption does
  --counts-only TYPE    mark the frame as counts-only and add the plaintext hint a homeserver
                        adds for that counts_only_type: none (nothing), boolean
                        ("is_counts_only": true) or full (a plaintext copy of "counts")
  -h, --help            show this help

Exit status: 0 printed, 1 unreadable input or key refused, 2 usage error.
`;

export const encryptCommand: Command = {
  name: 'encrypt',
  summary: 'encrypt a notify body as an MSC3013 homeserver would',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const parsed = parseOptions(argv);
    if (typeof parsed === 'string') return usageError(io, parsed);
    if (parsed.help) {
      io.stdout.write(usage);
      return 0;
    }

    const read = await readJsonInput(parsed.file, io);
    if ('problem' in read) return failure(io, read.problem);
    const body: unknown = read.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return failure(io, 'input must be a JSON object (a notify body or a notification)');
    }

    let result: ReturnType<typeof encryptNotifyBody>;
    try {
      result = encryptNotifyBody(body, parsed.publicKey, { mac: parsed.mac, countsOnly: parsed.countsOnly });
    } catch (error) {
      return failure(io, (error as Error).message);
    }

    io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    io.stderr.write(`herald encrypt: wrote the ${parsed.mac} MAC variant\n`);
    const devices = result.notification.devices;
    if (Array.isArray(devices) && devices.length !== 1) {
      io.stderr.write(`herald encrypt: note: an encrypted notification must have exactly one device; this has ${devices.length}\n`);
    }
    return 0;
  },
};

interface EncryptArgs {
  help: boolean;
  publicKey: string;
  mac: MacVariant;
  countsOnly: CountsOnlyType;
  file: string | undefined;
}

/** The parsed options, or the usage problem as a sentence. */
function parseOptions(argv: string[]): EncryptArgs | string {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'public-key': { type: 'string' },
        mac: { type: 'string', default: 'spec' },
        'counts-only': { type: 'string', default: 'none' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help === true) return { help: true, publicKey: '', mac: 'spec', countsOnly: 'none', file: undefined };

  const mac = values.mac as MacVariant;
  const countsOnly = values['counts-only'] as CountsOnlyType;
  if (typeof values['public-key'] !== 'string') return '--public-key is required';
  if (!MAC_VARIANTS.includes(mac)) return `--mac must be one of ${MAC_VARIANTS.join(', ')}`;
  if (!COUNTS_ONLY_TYPES.includes(countsOnly)) return `--counts-only must be one of ${COUNTS_ONLY_TYPES.join(', ')}`;
  if (positionals.length > 1) return 'at most one input file';
  return { help: false, publicKey: values['public-key'], mac, countsOnly, file: positionals[0] };
}

const usageError = (io: CommandIo, problem: string): number => reportProblem(io, 'encrypt', problem, 'usage');

const failure = (io: CommandIo, problem: string): number => reportProblem(io, 'encrypt', problem);
