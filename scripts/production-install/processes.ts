/** Child processes for the production-install check: start, wait for a line, stop, all bounded. */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Started {
  child: ChildProcess;
  /** Everything written so far (stdout and stderr), for failure messages. */
  output(): string;
  /** The first output line matching `pattern`, waiting at most `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

export function start(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Started {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });

  function waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = text.split('\n').find((l) => pattern.test(l));
        if (line === undefined) return;
        done();
        resolve(line);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms from ${command} ${args.join(' ')}:\n${text}`));
      }, timeoutMs);
      const ended = () => {
        done();
        reject(new Error(`${command} ${args.join(' ')} exited before printing ${pattern}:\n${text}`));
      };
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', ended);
      };
      listeners.add(check);
      child.once('exit', ended);
      check();
    });
  }

  return { child, output: () => text, waitForLine, exited };
}

/** Sends `signal` and waits for the exit; a process still running after `timeoutMs` is killed. */
export async function stop(started: Started, signal: NodeJS.Signals, timeoutMs: number): Promise<number | string> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return started.exited;
  started.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([started.exited, late]);
  clearTimeout(timer);
  if (result !== 'timeout') return result;
  started.child.kill('SIGKILL');
  await started.exited;
  return `still running ${timeoutMs} ms after ${signal}`;
}
