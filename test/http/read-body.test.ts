import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { readIdentityBody } from '../../src/http/read-body';

const request = () => new PassThrough();
const asRequest = (s: PassThrough) => s as unknown as IncomingMessage;

describe('readIdentityBody', () => {
  test('joins the chunks of a body within the limit', async () => {
    const req = request();
    const read = readIdentityBody(asRequest(req), 10);
    req.write('{"a":');
    req.end('1}');
    expect(await read).toEqual({ body: Buffer.from('{"a":1}') });
  });

  test('over the limit: too large, but only once the rest has been read off', async () => {
    const req = request();
    let settled = false;
    const read = readIdentityBody(asRequest(req), 4).then((r) => ((settled = true), r));
    req.write('123456');
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    req.end('789');
    expect(await read).toEqual({ type: 'entity.too.large' });
  });

  test('a client that hangs up mid-body settles the read as aborted', async () => {
    const req = request();
    const read = readIdentityBody(asRequest(req), 100);
    req.write('{"notif');
    req.destroy();
    expect(await read).toEqual({ type: 'request.aborted' });
  });
});
