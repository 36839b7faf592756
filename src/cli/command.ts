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
