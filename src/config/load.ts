/**
 * Reads, substitutes, validates and resolves apps.config.json. Every problem found is reported
 * at once with its JSON path; nothing half-valid is ever returned.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { substituteEnv } from './env';
import { ConfigError, type ConfigProblem } from './problems';
import { configSchema, type HeraldConfig } from './schema';
import { checkApps } from './check-apps';

export interface LoadedConfig {
  file: string;
  config: HeraldConfig;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new ConfigError(absolute, [{ path: [], message: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }]);
  }
  return parseConfig(text, absolute, env);
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [{ path: [], message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const problems: ConfigProblem[] = [];
  const substituted = substituteEnv(raw, env, problems);
  const parsed = configSchema.safeParse(substituted);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        problems.push({
          path: [...(issue.path as Array<string | number>), ...(key === undefined ? [] : [key])],
          message: key === undefined ? issue.message : 'unknown key (check the spelling)',
        });
      }
    }
    throw new ConfigError(file, problems);
  }
  const config = parsed.data;
  problems.push(...checkApps(config, dirname(file)));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { file, config };
}
