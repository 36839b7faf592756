import { resolve } from 'node:path';
import type { CommandIo } from './command';

/** --config, else $HERALD_CONFIG, else ./apps.config.json (contract section 1). */
export function configPath(flag: string | undefined, io: CommandIo): string {
  return resolve(io.cwd, flag ?? io.env.HERALD_CONFIG ?? 'apps.config.json');
}
