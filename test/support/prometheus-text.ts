/**
 * A parser for the Prometheus text exposition format (0.0.4), enough to check a scrape family by
 * family: each family's TYPE and its samples with their labels. Malformed lines throw, so a
 * scrape that a Prometheus server would refuse fails the test too.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') family(meta[2]).type = meta[3] as Family['type'];
      else family(meta[2]).help = meta[3];
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const sample = { name: match[1], labels: parseLabels(match[2] ?? '', line), value: parseValue(match[3], line) };
    family(familyOf(sample.name, families)).samples.push(sample);
  }
  return families;
}

/** The samples of `family` whose labels include `labels`. */
export function samples(families: Map<string, Family>, family: string, labels: Record<string, string> = {}, name = family): Sample[] {
  return (families.get(family)?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** The one sample of `name` (in `family`) with exactly these labels, or undefined. */
export function value(families: Map<string, Family>, family: string, labels: Record<string, string> = {}, name = family): number | undefined {
  const keys = Object.keys(labels).sort().join(',');
  return samples(families, family, labels, name).find((s) => Object.keys(s.labels).sort().join(',') === keys)?.value;
}

function familyOf(sampleName: string, families: Map<string, Family>): string {
  if (families.has(sampleName)) return sampleName;
  const suffix = SUFFIXES.find((s) => sampleName.endsWith(s) && families.has(sampleName.slice(0, -s.length)));
  return suffix ? sampleName.slice(0, -suffix.length) : sampleName;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  let consumed = 0;
  for (let m = LABEL.exec(text); m; m = LABEL.exec(text)) {
    labels[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    consumed = LABEL.lastIndex;
  }
  if (consumed !== text.length) throw new Error(`malformed labels: ${line}`);
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const n = Number(text);
  if (Number.isNaN(n) && text !== 'NaN') throw new Error(`malformed value: ${line}`);
  return n;
}
