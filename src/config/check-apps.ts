/**
 * Checks the schema cannot express: auth completeness, files that must exist, service accounts
 * that must parse, glob app ids. Resolves relative paths against the config file's folder (in place).
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { validateFcmOptions } from '../payload/fcm';
import { credentialProblems } from './check-credentials';
import type { ConfigProblem } from './problems';
import type { ApnsAppConfig, FcmAppConfig, HeraldConfig } from './schema';

type FileKey = 'keyfile' | 'certfile' | 'ca_file' | 'service_account_file';

export function checkApps(config: HeraldConfig, baseDir: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [appId, app] of Object.entries(config.apps)) {
    const at = (...rest: string[]) => ['apps', appId, ...rest];
    if (/[*?]/.test(appId) && !/^[A-Za-z0-9._*?-]+$/.test(appId)) {
      problems.push({ path: at(), message: 'glob app ids may only use letters, digits, . _ - and the wildcards * ?' });
    }
    for (const key of ['keyfile', 'certfile', 'ca_file', 'service_account_file'] as FileKey[]) {
      const value = (app as Partial<Record<FileKey, string>>)[key];
      if (value === undefined) continue;
      const full = isAbsolute(value) ? value : resolve(baseDir, value);
      (app as Partial<Record<FileKey, string>>)[key] = full;
      try {
        readFileSync(full);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        problems.push({ path: at(key), message: code === 'ENOENT' ? `file not found: ${full}` : `cannot read ${full}: ${code}` });
      }
    }
    for (const p of credentialProblems(app)) problems.push({ path: at(p.key), message: p.message });
    if (app.type === 'apns') problems.push(...checkApns(app, at));
    else problems.push(...checkFcm(app, at));
  }
  return problems;
}

function checkApns(app: ApnsAppConfig, at: (...rest: string[]) => Array<string | number>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const token = app.keyfile !== undefined || app.key_id !== undefined || app.team_id !== undefined;
  if (token && app.certfile !== undefined) problems.push({ path: at(), message: 'choose token auth (keyfile) or certificate auth (certfile), not both' });
  if (!token && app.certfile === undefined) problems.push({ path: at(), message: 'needs keyfile + key_id + team_id (token auth) or certfile' });
  if (token) {
    for (const key of ['keyfile', 'key_id', 'team_id', 'topic'] as const) {
      if (app[key] === undefined) problems.push({ path: at(key), message: 'required with token auth (keyfile)' });
    }
  }
  return problems;
}

function checkFcm(app: FcmAppConfig, at: (...rest: string[]) => Array<string | number>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const p of validateFcmOptions(app.fcm_options)) problems.push({ path: at('fcm_options', ...p.path), message: p.message });
  let account: Record<string, unknown>;
  try {
    account = JSON.parse(readFileSync(app.service_account_file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) return problems; // already reported as unreadable
    return [...problems, { path: at('service_account_file'), message: 'not a JSON service account file' }];
  }
  for (const key of ['client_email', 'private_key'] as const) {
    if (typeof account[key] !== 'string') problems.push({ path: at('service_account_file'), message: `service account has no ${key}` });
  }
  if (typeof account.private_key === 'string') {
    try {
      createPrivateKey(account.private_key);
    } catch {
      problems.push({ path: at('service_account_file'), message: 'the service account private_key is not a PEM private key' });
    }
  }
  if (app.project_id === undefined && typeof account.project_id !== 'string') {
    problems.push({ path: at('project_id'), message: 'required: the service account names no project_id' });
  }
  return problems;
}
