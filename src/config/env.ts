/** `${NAME}` references to the environment, so secrets stay out of the file. */
import type { ConfigProblem } from './problems';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, problems: ConfigProblem[], path: Array<string | number> = []): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (_, name: string) => {
      const found = env[name];
      if (found === undefined) {
        problems.push({ path, message: `environment variable ${name} is not set` });
        return '';
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, problems, [...path, i]));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // A JSON "__proto__" key is an own property; keep it as one so the schema reports it as unknown.
      Object.defineProperty(out, k, { value: substituteEnv(v, env, problems, [...path, k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
