import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import { ConfigError } from '../config/problems';
import type { Command } from './command';
import { configPath } from './config-path';

export const checkConfigCommand: Command = {
  name: 'check-config',
  summary: 'validate a configuration file without starting',
  usage: `Usage: herald check-config [FILE]

Validates FILE (default $HERALD_CONFIG or ./apps.config.json): schema, unknown keys,
\${ENV} references, referenced files, service accounts, fcm_options.
Exit 0 when valid; exit 1 listing every problem with its JSON path.`,
  async run(argv, io) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    const file = configPath(positionals[0], io);
    try {
      const { config } = loadConfig(file, io.env);
      io.stdout.write(`${file}: OK (${Object.keys(config.apps).length} apps: ${Object.keys(config.apps).join(', ')})\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      io.stderr.write(err.message + '\n');
      return 1;
    }
  },
};
