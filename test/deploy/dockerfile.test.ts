/**
 * The Dockerfile cannot be built here, so its promises are read from the text: what the runtime
 * stage holds (and hence what the production-install check reproduces), who it runs as, how it
 * is health-checked and started. The parser the check uses is tested on small Dockerfiles too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema';
import { contextSources, parseDockerfile, runtimeCopies, runtimeRuns, workdirOf } from '../../scripts/production-install/dockerfile';

const root = join(__dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const runtime = stages[stages.length - 1];
const args = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const isDirectory = (c: { source: string }) => existsSync(join(root, c.source)) && statSync(join(root, c.source)).isDirectory();

describe('the Dockerfile', () => {
  it('has a build stage and a runtime stage that copies only package files, bin/ and the compiled src', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(runtimeCopies(dockerfile, isDirectory)).toEqual([
      { origin: 'context', source: 'package.json', dest: 'package.json' },
      { origin: 'context', source: 'package-lock.json', dest: 'package-lock.json' },
      { origin: 'context', source: 'bin', dest: 'bin' },
      { origin: 'build', source: 'dist/src', dest: 'dist/src' },
    ]);
  });

  it('builds with the lock file and installs production dependencies only in the runtime stage', () => {
    const buildRuns = stages[0].instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(buildRuns).toEqual(expect.arrayContaining([expect.stringMatching(/^npm ci\b/), 'npm run build']));
    expect(runtimeRuns(dockerfile).join(' ')).toMatch(/npm ci --omit=dev\b/);
  });

  it('copies from the context only files a clean clone has, and .dockerignore keeps none of them out', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const matches = (pattern: string, path: string) =>
      new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*')}(/.*)?$`).test(path);
    for (const source of contextSources(dockerfile)) {
      const tracked = execFileSync('git', ['ls-files', '--', source], { cwd: root, encoding: 'utf8' });
      expect({ source, tracked: tracked.trim() !== '' }).toEqual({ source, tracked: true });
      expect({ source, ignoredBy: ignored.filter((p) => matches(p, source)) }).toEqual({ source, ignoredBy: [] });
    }
    // The same matcher does see what it should keep out.
    expect(ignored.some((p) => matches(p, 'simulator/ca-key.pem'))).toBe(true);
    expect(ignored.some((p) => matches(p, 'node_modules/x/index.js'))).toBe(true);
  });

  it('runs as a numeric non-root user, health-checks /health with node and starts herald serve', () => {
    const user = args('USER');
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^[1-9]\d*(:\d+)?$/);
    const healthcheck = args('HEALTHCHECK').join(' ');
    expect(healthcheck).toMatch(/CMD \["node", "-e", .*HERALD_HEALTHCHECK_URL/);
    expect(healthcheck).toMatch(/r\.status === 200/);
    expect(args('ENV').join(' ')).toMatch(/HERALD_HEALTHCHECK_URL=http:\/\/127\.0\.0\.1:5000\/health/);
    expect(JSON.parse(args('ENTRYPOINT')[0])).toEqual(['node', 'bin/herald.js']);
    expect(JSON.parse(args('CMD').at(-1) as string)).toEqual(['serve', '--config', '/etc/herald/apps.config.json']);
    expect(workdirOf(runtime)).toBe('/app');
  });

  it('exposes the default notify and metrics ports', () => {
    const defaults = configSchema.parse({ apps: {} });
    expect(args('EXPOSE').join(' ').split(/\s+/).map(Number).sort()).toEqual([defaults.http.port, defaults.metrics.port].sort());
    expect(defaults.http.port).toBe(5000);
    expect(defaults.metrics.port).toBe(9464);
  });
});

describe('the Dockerfile reader used by the production-install check', () => {
  const text = [
    'FROM node:20 AS build',
    'WORKDIR /src',
    'WORKDIR app',
    'COPY a.json \\',
    '  # a comment inside a continued instruction',
    '  b.json ./',
    'FROM node:20',
    'WORKDIR /srv',
    'COPY a.json b.json ./conf/',
    'COPY tools ./',
    'COPY --from=build --chown=1000:1000 /src/app/out ./out',
    'COPY one.txt renamed.txt',
  ].join('\n');

  it('joins continued lines and tracks WORKDIR', () => {
    const [build] = parseDockerfile(text);
    expect(workdirOf(build)).toBe('/src/app');
    expect(build.instructions.find((i) => i.keyword === 'COPY')?.args).toMatch(/^a\.json\s+b\.json \.\/$/);
  });

  it('resolves destinations as Docker does: files into folders, directory contents at the destination', () => {
    expect(runtimeCopies(text, (c) => c.source === 'tools' || c.source === 'out')).toEqual([
      { origin: 'context', source: 'a.json', dest: 'conf/a.json' },
      { origin: 'context', source: 'b.json', dest: 'conf/b.json' },
      { origin: 'context', source: 'tools', dest: '.' },
      { origin: 'build', source: 'out', dest: 'out' },
      { origin: 'context', source: 'one.txt', dest: 'renamed.txt' },
    ]);
  });

  it.each([
    ['ADD', 'FROM x\nADD a ./'],
    ['the JSON form', 'FROM x\nCOPY ["a", "./"]'],
    ['wildcards', 'FROM x\nCOPY *.json ./'],
    ['an unknown stage', 'FROM x\nCOPY --from=nowhere /a ./a'],
    ['a source outside the context', 'FROM x\nCOPY ../secret ./'],
    ['several sources into a file', 'FROM x\nCOPY a b c'],
  ])('refuses %s rather than guess', (_what, bad) => {
    expect(() => runtimeCopies(bad)).toThrow(/Dockerfile:2/);
  });
});
