/** Reads one sample from Prometheus text exposition, whatever order its labels are printed in. */
export function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

export async function scrape(metricsUrl: string | undefined): Promise<string> {
  if (metricsUrl === undefined) throw new Error('the gateway has no metrics listener');
  const res = await fetch(metricsUrl);
  if (res.status !== 200) throw new Error(`metrics answered ${res.status}`);
  return res.text();
}
