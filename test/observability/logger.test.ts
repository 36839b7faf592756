import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { lines, stream };
}

describe('logger levels', () => {
  test('entries below the level are skipped, children keep their metadata, a changed level applies', async () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'warn', format: 'json' }, stream);
    const child = log.child({ request_id: 'r1' });
    child.info('skipped');
    child.debug('skipped too');
    child.warn('kept', { n: 1 });
    log.error('kept too');
    log.level = 'debug';
    child.debug('now kept');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => [l.level, l.message, l.request_id])).toEqual([
      ['warn', 'kept', 'r1'], ['error', 'kept too', undefined], ['debug', 'now kept', 'r1'],
    ]);
    expect(lines[0].n).toBe(1);
  });
});
