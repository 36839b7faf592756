/** Every `herald` subcommand is one of these, registered in cli/main.ts. */
export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  /** Full `--help` text. */
  usage: string;
  /** Returns the exit code; long-running commands (serve, simulate) resolve when they stop. */
  run(argv: string[], io: CommandIo): Promise<number>;
}

/** Reads a named file, or stdin for `-` / no file. */
export async function readInput(file: string | undefined, io: CommandIo): Promise<string> {
  if (file !== undefined && file !== '-') {
    const { readFile } = await import('node:fs/promises');
    const { resolve } = await import('node:path');
    return readFile(resolve(io.cwd, file), 'utf8');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads FILE or stdin as JSON; an unreadable or non-JSON input comes back as a message to print. */
export async function readJsonInput(file: string | undefined, io: CommandIo): Promise<{ json: unknown } | { problem: string }> {
  try {
    return { json: JSON.parse(await readInput(file, io)) };
  } catch (error) {
    return { problem: `cannot read JSON input: ${(error as Error).message}` };
  }
}

/** One line on stderr naming the command; exit 1 for a failure, 2 (with a --help hint) for a usage error. */
export function reportProblem(io: CommandIo, command: string, problem: string, kind: 'failure' | 'usage' = 'failure'): number {
  const hint = kind === 'usage' ? `\nTry 'herald ${command} --help'.` : '';
  io.stderr.write(`herald ${command}: ${problem}${hint}\n`);
  return kind === 'usage' ? 2 : 1;
}
