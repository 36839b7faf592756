/**
 * Credentials must parse at start-up, so a corrupt key is a config error naming its key and
 * file, not a crash on the first push. Paths here are already absolute and known to be readable.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { splitCertfile } from '../pushkins/apns/provider';
import type { AppConfig } from './schema';

export function credentialProblems(app: AppConfig): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const check = (key: string, file: string | undefined, parse: (text: string) => void, what: string) => {
    if (file === undefined) return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return; // unreadable files are reported by the caller
    }
    try {
      parse(text);
    } catch (err) {
      problems.push({ key, message: `${file} is not ${what} (${(err as Error).message})` });
    }
  };
  check('ca_file', app.ca_file, (t) => new X509Certificate(t), 'a PEM CA certificate');
  if (app.type === 'apns') {
    check('keyfile', app.keyfile, (t) => createPrivateKey(t), 'a PEM (.p8) private key');
    check('certfile', app.certfile, (t) => {
      const { certPem, keyPem } = splitCertfile(t);
      const notAfter = new Date(new X509Certificate(certPem).validTo);
      createPrivateKey(keyPem);
      if (notAfter.getTime() < Date.now()) throw new Error(`the certificate expired on ${notAfter.toISOString()}`);
    }, 'a usable PEM certificate with its private key');
  }
  return problems;
}
