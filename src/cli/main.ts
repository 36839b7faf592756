/** `herald <command>`: the table of commands and the top-level usage. */
import type { Command, CommandIo } from './command';
import { checkConfigCommand } from './check-config';
import { decryptCommand } from './decrypt';
import { encryptCommand } from './encrypt';
import { migrateConfigCommand } from './migrate-config';
import { serveCommand } from './serve';
import { simulateCommand } from './simulate';

export const COMMANDS: Command[] = [serveCommand, checkConfigCommand, simulateCommand, encryptCommand, decryptCommand, migrateConfigCommand];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Herald: a Matrix push gateway (APNs, FCM, encrypted push).',
    '',
    'Usage: herald <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `herald <command> --help` for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`herald: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    // parseArgs throws TypeErrors with a code for unknown or malformed options.
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`herald ${name}: ${(err as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    throw err;
  }
}

export function runCli(): void {
  const io: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`herald: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
