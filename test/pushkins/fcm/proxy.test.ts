/** Both the OAuth token request and the sends go through an HTTP CONNECT proxy when one is set. */
import net from 'node:net';
import type { Pushkin } from '../../../src/pushkins/pushkin';
import { type Lab, context, deviceFor, message, openPushkin, startLab, testDeps } from './fixture';

interface Proxy {
  url: string;
  connects: Array<{ target: string; authorization?: string }>;
  close(): Promise<void>;
}

/** A minimal CONNECT proxy; `refuse` answers every CONNECT with that status instead. */
async function startProxy(refuse?: number): Promise<Proxy> {
  const connects: Proxy['connects'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onData);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const target = lines[0].split(' ')[1];
      const authorization = lines.find((l) => l.toLowerCase().startsWith('proxy-authorization:'))?.split(': ')[1];
      connects.push({ target, ...(authorization ? { authorization } : {}) });
      if (refuse !== undefined) {
        client.end(`HTTP/1.1 ${refuse} Refused\r\n\r\n`);
        return;
      }
      const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
      const upstream = net.connect(port, host.replace(/^\[|\]$/g, ''), () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let lab: Lab;
const open: Pushkin[] = [];
const proxies: Proxy[] = [];

beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab.close();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  lab.sim.reset();
});

it('tunnels the token request and the send to the configured endpoint, with proxy credentials', async () => {
  const proxy = await startProxy();
  proxies.push(proxy);
  const withCredentials = proxy.url.replace('http://', 'http://user:p%40ss@');
  const deps = testDeps(withCredentials);
  const p = openPushkin(lab.app(), deps);
  open.push(p);
  const device = deviceFor('okay-proxied');

  await expect(p.send(message(device), device, context(3000, deps))).resolves.toMatchObject({ kind: 'delivered' });

  const simulator = `${lab.sim.host}:${lab.sim.port}`;
  expect(proxy.connects.map((c) => c.target)).toEqual([simulator, simulator]); // token, then send
  expect(proxy.connects[0].authorization).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  expect(lab.sim.received.map((r) => r.token)).toEqual(['okay-proxied']);
});

it('treats a proxy that refuses the tunnel as a temporary failure', async () => {
  const proxy = await startProxy(403);
  proxies.push(proxy);
  const deps = testDeps(proxy.url);
  const p = openPushkin(lab.app(), deps);
  open.push(p);
  const device = deviceFor('okay-proxied');

  await expect(p.send(message(device), device, context(1000, deps))).resolves.toMatchObject({ kind: 'temporary' });
  expect(lab.sim.received).toHaveLength(0);
});
