/**
 * The built `herald` CLI as an operator runs it: `node bin/herald.js …` in a child process.
 * CI builds before testing; locally `ensureBuilt` rebuilds when a source file is newer than the
 * build, so the tests never run yesterday's code.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'src', 'cli', 'main.js');
/** tsc on a busy two-core machine. */
export const BUILD_TIMEOUT_MS = 180_000;

/** Test files run in parallel workers: one builds while the others wait for its lock. */
export function ensureBuilt(): void {
  const lock = join(ROOT, 'dist', '.test-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    if (builtAt() >= newestSource(join(ROOT, 'src'))) return;
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - lockedSince(lock) > BUILD_TIMEOUT_MS) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockedSince(lock: string): number {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return Date.now();
  }
}

function build(): void {
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
      cwd: ROOT, stdio: 'pipe', timeout: BUILD_TIMEOUT_MS,
    });
  } catch (err) {
    // Type errors elsewhere (bench, scripts) still emit src; only a missing entry point is fatal.
    if (builtAt() < newestSource(join(ROOT, 'src'))) throw new Error(`build failed: ${String((err as { stdout?: Buffer }).stdout ?? err)}`);
  }
}

function builtAt(): number {
  try {
    return statSync(ENTRY).mtimeMs;
  } catch {
    return 0;
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export interface HeraldProcess {
  child: ChildProcess;
  /** Every log line so far, parsed (JSON logs); non-JSON lines as `{ raw }`. */
  lines: Array<Record<string, any>>;
  stderr: () => string;
  /** Resolves with the first line `match` accepts (or rejects after `timeoutMs`). */
  waitForLine(match: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

export function spawnHerald(args: string[], env: NodeJS.ProcessEnv = {}): HeraldProcess {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'herald.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, any>> = [];
  const waiters = new Set<() => void>();
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete.filter((l) => l.trim() !== '')) lines.push(parseLine(text));
    for (const wake of waiters) wake();
  });
  let errText = '';
  child.stderr!.on('data', (chunk: Buffer) => (errText += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));

  return {
    child,
    lines,
    stderr: () => errText,
    exited,
    waitForLine(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found === undefined) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching log line within ${timeoutMs} ms; lines: ${JSON.stringify(lines)}; stderr: ${errText}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void exited.then(() => setImmediate(() => {
          if (waiters.has(check)) {
            done();
            reject(new Error(`herald exited before the line appeared; lines: ${JSON.stringify(lines)}; stderr: ${errText}`));
          }
        }));
        check();
      });
    },
  };
}

function parseLine(text: string): Record<string, any> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, any>) : { raw: text };
  } catch {
    return { raw: text };
  }
}
