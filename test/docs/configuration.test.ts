/**
 * docs/configuration.md against src/config/schema.ts: every key the schema accepts has a row
 * with the schema's default (and every enum value), no row names a key the schema lacks, and
 * the doc's complete example is a valid config.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configSchema } from '../../src/config/schema';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
}

interface Leaf {
  path: string;
  schema: JsonSchema;
}

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Keys whose value is an object with named properties are sections; everything else is a leaf. */
function leaves(node: JsonSchema, prefix: string): Leaf[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return child.properties !== undefined ? leaves(child, path) : [{ path, schema: child }];
  });
}

const appVariants = (() => {
  const apps = schema.properties?.apps?.additionalProperties as JsonSchema;
  const variants = apps.oneOf ?? apps.anyOf ?? [];
  const typeValues = (v: JsonSchema) => {
    const type = v.properties?.type as JsonSchema;
    return type.enum ?? [type.const];
  };
  return {
    apns: variants.find((v) => typeValues(v).includes('apns')) as JsonSchema,
    fcm: variants.find((v) => typeValues(v).includes('fcm')) as JsonSchema,
  };
})();

/** The rows of the first table after the heading that matches `heading`: key → cells. */
function tableAfter(heading: RegExp): Map<string, string[]> {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^#{2,4} /.test(l) && heading.test(l));
  if (start < 0) throw new Error(`docs/configuration.md: no heading matching ${heading}`);
  const rows = new Map<string, string[]>();
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^#{2,4} /.test(line)) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const key = /^`([^`]+)`$/.exec(cells[0])?.[1];
    if (key !== undefined) rows.set(key, cells);
  }
  return rows;
}

const expectedDefault = (leaf: Leaf) => (leaf.schema.default === undefined ? '—' : `\`${JSON.stringify(leaf.schema.default)}\``);

const sections: Array<[string, RegExp, Leaf[]]> = [
  ['http', /^## `http`/, leaves(schema, '').filter((l) => l.path.startsWith('http.'))],
  ['log', /^## `log`/, leaves(schema, '').filter((l) => l.path.startsWith('log.'))],
  ['metrics', /^## `metrics`/, leaves(schema, '').filter((l) => l.path.startsWith('metrics.'))],
  ['proxy', /^## `proxy`/, leaves(schema, '').filter((l) => l.path === 'proxy')],
  ['dedup', /^## `dedup`/, leaves(schema, '').filter((l) => l.path.startsWith('dedup.'))],
  ['APNs apps', /^### APNs apps/, leaves(appVariants.apns, '')],
  ['FCM apps', /^### FCM apps/, leaves(appVariants.fcm, '')],
];

describe('docs/configuration.md', () => {
  it('covers every top-level key of the schema in a section', () => {
    const documented = new Set(['http', 'log', 'metrics', 'proxy', 'dedup', 'apps']);
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual([...documented].sort());
  });

  it.each(sections)('%s: one row per key, with the schema\'s default and every allowed value', (_name, heading, keys) => {
    expect(keys.length).toBeGreaterThan(0);
    const rows = tableAfter(heading);
    for (const leaf of keys) {
      const cells = rows.get(leaf.path);
      expect({ key: leaf.path, documented: cells !== undefined }).toEqual({ key: leaf.path, documented: true });
      if (cells === undefined) continue;
      expect({ key: leaf.path, default: cells[2] }).toEqual({ key: leaf.path, default: expectedDefault(leaf) });
      for (const value of leaf.schema.enum ?? []) {
        expect({ key: leaf.path, mentions: cells[1].includes(String(value)) }).toEqual({ key: leaf.path, mentions: true });
      }
    }
    const known = new Set(keys.map((k) => k.path));
    for (const key of rows.keys()) expect({ key, inSchema: known.has(key) }).toEqual({ key, inSchema: true });
  });

  it('gives a complete example that the schema accepts and that uses every section', () => {
    const example = /## A complete example\s+```json\n([\s\S]+?)\n```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const parsed = configSchema.safeParse(JSON.parse(example as string));
    expect(parsed.error?.issues ?? []).toEqual([]);
    const raw = JSON.parse(example as string) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(Object.keys(schema.properties ?? {}).sort());
  });
});
