/** Config problems carry a JSON path, printed the way an operator would write it. */

export interface ConfigProblem {
  path: Array<string | number>;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `["apps", "com.x.ios", "keyfile"]` → `apps["com.x.ios"].keyfile` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out === '' ? '(top level)' : out;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: ${problems.length} problem(s) in the configuration:\n` + problems.map((p) => `  ${formatPath(p.path)}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}
