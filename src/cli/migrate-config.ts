import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { migrateSygnalConfig } from '../migrate/sygnal';
import type { Command } from './command';

export const migrateConfigCommand: Command = {
  name: 'migrate-config',
  summary: 'convert a Sygnal config (YAML) into an apps.config.json',
  usage: `Usage: herald migrate-config SYGNAL_YAML > apps.config.json

Prints the Herald config equivalent to a Sygnal config on stdout: apps (APNs with certfile or
keyfile/key_id/team_id/topic; gcm/fcm with api_version v1, project_id, service_account_file,
fcm_options), http, proxy, metrics.prometheus, and the log level.
Notes on stderr name everything without an equivalent; "action needed" notes must be dealt with
before the result is used (a legacy FCM api_key app gets a placeholder service_account_file that
check-config reports until it is replaced).
File paths are copied as written: Herald resolves relative paths against the folder of
apps.config.json, so save the output next to SYGNAL_YAML (or make the paths absolute).
Then run \`herald check-config apps.config.json\`.
Exit 0 when converted (even with notes); 1 when the file cannot be read or is not YAML.`,
  async run(argv, io) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    if (positionals.length !== 1) {
      io.stderr.write(`herald migrate-config: give one Sygnal config file\n\n${migrateConfigCommand.usage}\n`);
      return 2;
    }
    const file = resolve(io.cwd, positionals[0]);
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      io.stderr.write(`herald migrate-config: cannot read ${file}: ${reason}\n`);
      return 1;
    }
    const { config, notes } = migrateSygnalConfig(parsed);
    io.stdout.write(JSON.stringify(config, null, 2) + '\n');
    for (const n of notes) io.stderr.write(`${n.level === 'action' ? 'action needed' : 'note'}: ${n.at}: ${n.message}\n`);
    if (hasRelativePath(config)) {
      io.stderr.write(`note: relative file paths were kept: save apps.config.json in ${dirname(file)} so they resolve as before\n`);
    }
    return 0;
  },
};

function hasRelativePath(config: Record<string, unknown>): boolean {
  const apps = Object.values((config.apps ?? {}) as Record<string, Record<string, unknown>>);
  return apps.some((app) =>
    ['certfile', 'keyfile', 'service_account_file'].some((key) => typeof app[key] === 'string' && !(app[key] as string).startsWith('/')),
  );
}
