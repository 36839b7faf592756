import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { checkConfigCommand } from '../../src/cli/check-config';
import type { CommandIo } from '../../src/cli/command';
import { main } from '../../src/cli/main';
import { makeMaterial } from '../simulators/fixtures';

const REPO = resolve(__dirname, '../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; viaMain?: boolean } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdin: Readable.from([]),
    stdout: new Writable({ write(chunk, _enc, done) { stdout += String(chunk); done(); } }),
    stderr: new Writable({ write(chunk, _enc, done) { stderr += String(chunk); done(); } }),
    env: options.env ?? {},
    cwd: options.cwd ?? REPO,
  };
  const code = options.viaMain ? await main(['check-config', ...argv], io) : await checkConfigCommand.run(argv, io);
  return { code, stdout, stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'herald-check-config-'));
  writeFileSync(join(dir, 'sa.json'), JSON.stringify(makeMaterial().serviceAccount));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, config: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('herald check-config', () => {
  test('the repository\'s own apps.config.json passes (the default file in the working directory)', async () => {
    const result = await run([]);
    expect(result).toEqual({
      code: 0,
      stdout: `${join(REPO, 'apps.config.json')}: OK (3 apps: org.herald.demo.ios, org.herald.demo.ios.cert, org.herald.demo.android)\n`,
      stderr: '',
    });
  });

  test('$HERALD_CONFIG names the file when no argument does; a relative argument is read from the working directory', async () => {
    const file = writeConfig('env.json', { apps: { 'com.x.android': { type: 'fcm', service_account_file: 'sa.json' } } });
    expect((await run([], { env: { HERALD_CONFIG: file } })).stdout).toBe(`${file}: OK (1 apps: com.x.android)\n`);
    expect((await run(['env.json'], { cwd: dir, env: { HERALD_CONFIG: '/nowhere.json' } })).code).toBe(0);
  });

  test('a legacy fcm_options key and a missing service account file: exit 1, each named with its JSON path', async () => {
    const file = writeConfig('bad.json', {
      apps: {
        'com.x.android': { type: 'fcm', service_account_file: 'sa.json', fcm_options: { priority: 'high' } },
        'com.y.android': { type: 'fcm', service_account_file: 'secrets/missing.json' },
      },
    });
    const result = await run([file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `${file}: 2 problem(s) in the configuration:`,
      '  apps["com.x.android"].fcm_options.priority: a legacy FCM API key; in HTTP v1 use android.priority ("high" or "normal")',
      `  apps["com.y.android"].service_account_file: file not found: ${join(dir, 'secrets', 'missing.json')}`,
    ]);
  });

  test('every problem of a file is listed, with unknown keys and missing environment variables', async () => {
    const file = writeConfig('many.json', {
      http: { prot: 5000 },
      apps: { 'com.x.ios': { type: 'apns', certfile: '${CERT_FILE}', topic: 'com.x' } },
    });
    const result = await run([file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('http.prot: unknown key (check the spelling)');
    expect(result.stderr).toContain('apps["com.x.ios"].certfile: environment variable CERT_FILE is not set');
  });

  test('a file that does not exist: exit 1 naming it', async () => {
    const result = await run([join(dir, 'absent.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'absent.json')}: 1 problem(s)`);
    expect(result.stderr).toContain('cannot read the file: ENOENT');
  });

  test('--help through the command table', async () => {
    const result = await run(['--help'], { viaMain: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: herald check-config [FILE]');
  });
});
