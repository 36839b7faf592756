/** Every response carries X-Request-Id; a sane incoming one is kept so logs line up across hops. */
import { randomBytes } from 'node:crypto';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdFor(incoming: string | string[] | undefined): string {
  if (typeof incoming === 'string' && ACCEPTABLE.test(incoming)) return incoming;
  return randomBytes(8).toString('hex');
}
