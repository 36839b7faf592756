/** Every response carries X-Request-Id; a sane incoming one is kept so logs line up across hops. */
import { randomBytes } from 'node:crypto';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,64}$/;

export type RequestIds = (incoming: string | string[] | undefined) => string;

/**
 * Generated ids are 16 hex digits: a random prefix per generator (so per worker) and a counter,
 * rather than a call into the CSPRNG per request. They need to be unique, not unguessable.
 */
export function createRequestIds(random: (bytes: number) => Buffer = randomBytes): RequestIds {
  const prefix = random(4).toString('hex');
  let counter = random(4).readUInt32BE();
  return (incoming) => {
    if (typeof incoming === 'string' && ACCEPTABLE.test(incoming)) return incoming;
    counter = (counter + 1) >>> 0;
    return prefix + counter.toString(16).padStart(8, '0');
  };
}
