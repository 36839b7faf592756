/**
 * Reads the Dockerfile's runtime stage, so that the production-install check copies exactly
 * what the image gets (CI has no container engine to build the image itself). Only the simple
 * forms Herald's Dockerfile uses are understood; anything else throws rather than guess.
 */
import { posix } from 'node:path';

export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface Stage {
  name?: string;
  instructions: Instruction[];
}

/** One file or folder the runtime stage copies, in repository terms. */
export interface RuntimeCopy {
  /** `context`: a tracked file of the repository; `build`: output of `npm run build`. */
  origin: 'context' | 'build';
  /** Path relative to the repository root (for `build`, relative to the build stage's WORKDIR). */
  source: string;
  /** Path relative to the runtime stage's WORKDIR. */
  dest: string;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i];
    // A trailing backslash continues the instruction; comment lines inside it are skipped.
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i])) continue;
      logical = logical.replace(/\\\s*$/, ' ') + lines[i];
    }
    const trimmed = logical.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^(\S+)\s*(.*)$/.exec(trimmed);
    if (!match) continue;
    const instruction = { keyword: match[1].toUpperCase(), args: match[2].trim(), line: start + 1 };
    if (instruction.keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!from) throw new Error(`Dockerfile:${instruction.line}: cannot read FROM ${instruction.args}`);
      stages.push({ name: from[2], instructions: [instruction] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** The stage's WORKDIR at the end (the one COPY destinations are relative to), `/` when none. */
export function workdirOf(stage: Stage): string {
  let dir = '/';
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') dir = posix.resolve(dir, args);
  }
  return dir;
}

interface CopyInstruction {
  fromStage?: string;
  sources: string[];
  dest: string;
  line: number;
}

function copyInstructions(stage: Stage): CopyInstruction[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      if (i.keyword === 'ADD') throw new Error(`Dockerfile:${i.line}: use COPY, not ADD`);
      if (i.args.startsWith('[')) throw new Error(`Dockerfile:${i.line}: the JSON form of COPY is not supported here`);
      const words = i.args.split(/\s+/);
      let fromStage: string | undefined;
      while (words[0]?.startsWith('--')) {
        const flag = words.shift() as string;
        const from = /^--from=(.+)$/.exec(flag);
        if (from) fromStage = from[1];
        else if (!/^--(chown|chmod)=/.test(flag)) throw new Error(`Dockerfile:${i.line}: unsupported COPY flag ${flag}`);
      }
      if (words.length < 2) throw new Error(`Dockerfile:${i.line}: COPY needs a source and a destination`);
      if (words.some((w) => /[*?[]/.test(w))) throw new Error(`Dockerfile:${i.line}: wildcards are not supported here`);
      const dest = words.pop() as string;
      return { fromStage, sources: words, dest, line: i.line };
    });
}

/**
 * What the last stage (the image that runs) copies, resolved to repository paths. As in Docker,
 * a directory source puts its contents at the destination; `isDirectory` says which sources are.
 */
export function runtimeCopies(text: string, isDirectory: (copy: Omit<RuntimeCopy, 'dest'>) => boolean = () => false): RuntimeCopy[] {
  const stages = parseDockerfile(text);
  const runtime = stages[stages.length - 1];
  if (runtime === undefined) throw new Error('Dockerfile: no FROM');
  const runtimeDir = workdirOf(runtime);
  const copies: RuntimeCopy[] = [];
  for (const copy of copyInstructions(runtime)) {
    const destDir = posix.resolve(runtimeDir, copy.dest);
    const many = copy.sources.length > 1;
    if (many && !copy.dest.endsWith('/')) throw new Error(`Dockerfile:${copy.line}: several sources need a destination ending in /`);
    let origin: RuntimeCopy['origin'] = 'context';
    let base = '/';
    if (copy.fromStage !== undefined) {
      const from = stages.find((s) => s.name === copy.fromStage);
      if (from === undefined) throw new Error(`Dockerfile:${copy.line}: --from=${copy.fromStage} names no stage`);
      origin = 'build';
      base = workdirOf(from);
    }
    for (const raw of copy.sources) {
      const source = origin === 'build' ? posix.relative(base, posix.resolve(base, raw)) : posix.normalize(raw).replace(/\/$/, '');
      if (source === '' || source.startsWith('..')) throw new Error(`Dockerfile:${copy.line}: ${raw} is outside the build folder`);
      const intoFolder = (many || copy.dest.endsWith('/')) && !isDirectory({ origin, source });
      const dest = posix.relative(runtimeDir, intoFolder ? posix.join(destDir, posix.basename(source)) : destDir) || '.';
      if (dest.startsWith('..')) throw new Error(`Dockerfile:${copy.line}: ${copy.dest} is outside WORKDIR ${runtimeDir}`);
      copies.push({ origin, source, dest });
    }
  }
  return copies;
}

/** Every source any stage copies from the build context (not --from another stage). */
export function contextSources(text: string): string[] {
  return parseDockerfile(text).flatMap((stage) =>
    copyInstructions(stage).filter((c) => c.fromStage === undefined).flatMap((c) => c.sources.map((s) => posix.normalize(s).replace(/\/$/, ''))),
  );
}

/** The RUN lines of the runtime stage (the check runs the npm install it finds there). */
export function runtimeRuns(text: string): string[] {
  const stages = parseDockerfile(text);
  return (stages[stages.length - 1]?.instructions ?? []).filter((i) => i.keyword === 'RUN').map((i) => i.args);
}
