/**
 * Everything under deploy/ must parse and agree with itself and with the code: ports between
 * the config, Deployment, Service, probes and scrape configs; probes on /health; every metric
 * the dashboard and alerts query exists in src/observability/metrics.ts with the labels used.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { Histogram, Registry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import { configSchema, type HeraldConfig } from '../../src/config/schema';
import { createMetrics } from '../../src/observability/metrics';

// Parsed manifests are untyped by nature; the assertions are the schema.
type Doc = Record<string, any>;

const root = join(__dirname, '..', '..');
const deploy = join(root, 'deploy');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function parseFile(path: string): Doc[] {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.json')) return [JSON.parse(text) as Doc];
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  for (const d of docs) if (d.errors.length > 0) throw new Error(`${path}: ${d.errors.map((e) => e.message).join('; ')}`);
  return docs.map((d) => d.toJS() as Doc).filter((d) => d !== null);
}

const files = filesUnder(deploy).filter((f) => /\.(ya?ml|json)$/.test(f));
const parsed = new Map(files.map((f) => [relative(deploy, f), parseFile(f)]));
const one = (file: string): Doc => {
  const docs = parsed.get(file);
  if (!docs || docs.length === 0) throw new Error(`deploy/${file} missing`);
  return docs[0];
};
const k8s = (kind: string, name = 'herald'): Doc => {
  const found = [...parsed.values()].flat().find((d) => d.kind === kind && d.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} under deploy/`);
  return found;
};

const deployment = k8s('Deployment');
const pod = deployment.spec.template;
const container = pod.spec.containers.find((c: Doc) => c.name === 'herald');
const containerPort = (name: string): number => container.ports.find((p: Doc) => p.name === name)?.containerPort;
const resolvePort = (port: string | number): number => (typeof port === 'number' ? port : containerPort(port));
const configMapConfig: HeraldConfig = configSchema.parse(JSON.parse(k8s('ConfigMap', 'herald-config').data['apps.config.json']));
const composeConfig: HeraldConfig = configSchema.parse(JSON.parse(readFileSync(join(deploy, 'compose', 'apps.config.json'), 'utf8')));

describe('deploy/ parses', () => {
  it('holds the expected manifests, every one valid YAML or JSON', () => {
    expect([...parsed.keys()].sort()).toEqual(expect.arrayContaining([
      'docker-compose.yml', 'compose/apps.config.json', 'prometheus/prometheus.yml', 'prometheus/alerts.yml',
      'grafana/dashboards/herald.json', 'kubernetes/deployment.yaml', 'kubernetes/service.yaml', 'kubernetes/configmap.yaml',
      'kubernetes/hpa.yaml', 'kubernetes/pdb.yaml', 'kubernetes/kustomization.yaml', 'kubernetes/extras/servicemonitor.yaml',
      'kubernetes/extras/redis.yaml', 'kubernetes/extras/secret.example.yaml',
    ]));
    for (const [file, docs] of parsed) expect({ file, documents: docs.length > 0 }).toEqual({ file, documents: true });
  });

  it('lists every core manifest in the kustomization, and each exists', () => {
    const resources: string[] = one('kubernetes/kustomization.yaml').resources;
    for (const r of resources) expect(parsed.has(posix.join('kubernetes', r))).toBe(true);
    expect(resources.sort()).toEqual(['configmap.yaml', 'deployment.yaml', 'hpa.yaml', 'pdb.yaml', 'service.yaml']);
  });
});

describe('Kubernetes', () => {
  it('listens, serves and exposes the config map\'s ports on all interfaces', () => {
    expect(configMapConfig.http.bind_addresses).toEqual(['0.0.0.0']);
    expect(configMapConfig.metrics.bind_address).toBe('0.0.0.0');
    expect(containerPort('http')).toBe(configMapConfig.http.port);
    expect(containerPort('metrics')).toBe(configMapConfig.metrics.port);
    expect([configMapConfig.http.port, configMapConfig.metrics.port]).toEqual([5000, 9464]);
    const service = k8s('Service');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    const byName = Object.fromEntries(service.spec.ports.map((p: Doc) => [p.name, p]));
    expect([byName.http.port, resolvePort(byName.http.targetPort)]).toEqual([5000, 5000]);
    expect([byName.metrics.port, resolvePort(byName.metrics.targetPort)]).toEqual([9464, 9464]);
  });

  it('probes /health on the notify port and drains before the grace period ends', () => {
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet.path).toBe('/health');
      expect(resolvePort(probe.httpGet.port)).toBe(configMapConfig.http.port);
    }
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command.at(-1));
    const drainSeconds = configMapConfig.http.request_timeout_ms / 1000 + 1;
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + drainSeconds + 2);
  });

  it('runs non-root on a read-only root filesystem with resources set', () => {
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(container.resources.limits.memory).toEqual(expect.any(String));
  });

  it('mounts the config map where --config points, and the secrets where the config looks for them', () => {
    const configPath: string = container.args[container.args.indexOf('--config') + 1];
    const mounts = Object.fromEntries(container.volumeMounts.map((m: Doc) => [m.name, m.mountPath]));
    const volumes = Object.fromEntries(pod.spec.volumes.map((v: Doc) => [v.name, v]));
    expect(posix.dirname(configPath)).toBe(mounts.config);
    expect(volumes.config.configMap.name).toBe('herald-config');
    expect(volumes.config.configMap.items).toEqual([{ key: 'apps.config.json', path: posix.basename(configPath) }]);
    expect(volumes.secrets.secret.secretName).toBe(k8s('Secret', 'herald-secrets').metadata.name);
    const secretKeys = Object.keys(k8s('Secret', 'herald-secrets').stringData);
    for (const app of Object.values(configMapConfig.apps)) {
      for (const file of [(app as Doc).keyfile, (app as Doc).certfile, (app as Doc).service_account_file].filter(Boolean)) {
        expect(posix.dirname(file)).toBe(mounts.secrets);
        expect(secretKeys).toContain(posix.basename(file));
      }
    }
  });

  it('scrapes the metrics port: pod annotations and the ServiceMonitor', () => {
    const annotations = pod.metadata.annotations;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(Number(annotations['prometheus.io/port'])).toBe(configMapConfig.metrics.port);
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    const monitor = k8s('ServiceMonitor');
    expect(monitor.spec.selector.matchLabels).toEqual(k8s('Service').metadata.labels);
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
  });

  it('scales and protects the Deployment it names', () => {
    const hpa = k8s('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'herald' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(k8s('PodDisruptionBudget').spec.selector.matchLabels).toEqual(pod.metadata.labels);
  });

  it('offers a Redis whose Service is what the config map tells operators to put in dedup.redis_url', () => {
    const redis = k8s('Service', 'herald-redis');
    const url = /"redis_url": "(redis:\/\/[^"]+)"/.exec(readFileSync(join(deploy, 'kubernetes', 'configmap.yaml'), 'utf8'))?.[1];
    expect(url).toBe(`redis://${redis.metadata.name}:${redis.spec.ports[0].port}`);
    expect(configSchema.shape.dedup.parse({ redis_url: url }).redis_url).toBe(url);
  });
});

describe('docker compose demo', () => {
  const compose = one('docker-compose.yml');
  const services = compose.services;

  it('runs the image on the compose config, mounted where the Dockerfile\'s CMD looks', () => {
    const cmd = /^CMD (.*)$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1] as string;
    const configPath: string = JSON.parse(cmd).at(-1);
    expect(services.herald.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
    expect(services.herald.volumes).toContain(`./compose/apps.config.json:${configPath}:ro`);
    expect(services.herald.ports).toEqual([`${composeConfig.http.port}:5000`, `${composeConfig.metrics.port}:9464`]);
    expect(composeConfig.http.bind_addresses).toEqual(['0.0.0.0']);
    expect(composeConfig.metrics.bind_address).toBe('0.0.0.0');
    // docker stop's SIGKILL must not cut the drain short.
    expect(Number(/^(\d+)s$/.exec(services.herald.stop_grace_period)?.[1])).toBeGreaterThan(composeConfig.http.request_timeout_ms / 1000 + 1);
  });

  it('reaches the simulators on 127.0.0.1 by sharing Herald\'s network namespace, with every demo file mounted', () => {
    expect(services.simulators.network_mode).toBe('service:herald');
    expect(services.simulators.command.slice(0, 1)).toEqual(['simulate']);
    const material = services.simulators.command[services.simulators.command.indexOf('--material') + 1];
    expect(services.simulators.volumes).toContain(`../simulator:${material}:ro`);
    const heraldMount = (services.herald.volumes as string[]).find((v) => v.startsWith('../simulator:')) as string;
    const inContainer = heraldMount.split(':')[1];
    for (const app of Object.values(composeConfig.apps)) {
      expect(new URL((app as Doc).endpoint).hostname).toBe('127.0.0.1');
      for (const file of [(app as Doc).keyfile, (app as Doc).certfile, (app as Doc).ca_file, (app as Doc).service_account_file].filter(Boolean)) {
        const absolute = posix.resolve('/etc/herald', file);
        expect(absolute.startsWith(inContainer + '/')).toBe(true);
        expect(statSync(join(root, 'simulator', absolute.slice(inContainer.length + 1))).isFile()).toBe(true);
      }
    }
  });

  it('wires Prometheus to Herald and Grafana to Prometheus and the dashboard', () => {
    const prometheus = one('prometheus/prometheus.yml');
    const job = prometheus.scrape_configs.find((j: Doc) => j.job_name === 'herald');
    expect(job.metrics_path).toBe('/metrics');
    expect(job.static_configs[0].targets).toEqual([`herald:${composeConfig.metrics.port}`]);
    expect(prometheus.rule_files.map((f: string) => posix.basename(f))).toEqual(['alerts.yml']);
    expect(services.prometheus.volumes).toContain('./prometheus:/etc/prometheus:ro');
    const datasource = one('grafana/provisioning/datasources/prometheus.yml').datasources[0];
    expect(datasource.url).toBe(`http://prometheus:${services.prometheus.ports[0].split(':')[1]}`);
    const dashboards = one('grafana/provisioning/dashboards/herald.yml').providers[0];
    expect(services.grafana.volumes).toContain(`./grafana/dashboards:${dashboards.options.path}:ro`);
    const uids = new Set(JSON.stringify(one('grafana/dashboards/herald.json')).match(/"uid":"[^"]+"/g));
    expect(uids).toEqual(new Set(['"uid":"herald"', `"uid":"${datasource.uid}"`]));
  });
});

describe('metric names in the dashboard and alert rules', () => {
  const registry = new Registry();
  createMetrics(registry);
  const known = new Map<string, string[]>();
  for (const metric of registry.getMetricsAsArray()) {
    const { name, labelNames = [] } = metric as unknown as { name: string; labelNames?: string[] };
    const histogram = metric instanceof Histogram;
    for (const series of histogram ? ['_bucket', '_sum', '_count'] : ['']) known.set(name + series, [...labelNames, ...(histogram ? ['le'] : [])]);
  }
  const dashboard = one('grafana/dashboards/herald.json');
  const dashboardExprs: string[] = dashboard.panels.flatMap((p: Doc) => p.targets.map((t: Doc) => t.expr));
  const rules: Doc[] = one('prometheus/alerts.yml').groups.flatMap((g: Doc) => g.rules);
  const metricsIn = (expr: string) => [...expr.matchAll(/\b((?:herald|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]);

  it('the registry holds the contract families (sanity check of the reading)', () => {
    expect(known.get('herald_pushes_total')).toEqual(['app', 'backend', 'outcome']);
    expect(known.get('herald_notify_duration_seconds_bucket')).toEqual(['code', 'le']);
  });

  it.each([
    ['the dashboard', dashboardExprs],
    ['the alert rules', rules.map((r) => String(r.expr))],
  ])('%s query only metrics and labels Herald exports', (_where, exprs) => {
    expect(exprs.length).toBeGreaterThan(0);
    for (const expr of exprs) {
      const names = metricsIn(expr);
      for (const name of names) expect({ expr, name, known: known.has(name) }).toEqual({ expr, name, known: true });
      const allowed = new Set(['instance', 'job', ...names.flatMap((n) => known.get(n) ?? [])]);
      const labels = [
        ...[...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((l) => l.trim())),
        ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1].matchAll(/([a-z_]+)\s*[=!]~?/g)].map((l) => l[1])),
      ];
      for (const label of labels) expect({ expr, label, allowed: allowed.has(label) }).toEqual({ expr, label, allowed: true });
    }
  });

  it('the dashboard shows every contract family', () => {
    const shown = new Set(dashboardExprs.flatMap(metricsIn).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    const contract = [
      'herald_notifications_received_total', 'herald_devices_received_total', 'herald_http_responses_total', 'herald_notify_duration_seconds',
      'herald_requests_in_flight', 'herald_pushes_total', 'herald_provider_responses_total', 'herald_push_duration_seconds',
      'herald_payload_fits_total', 'herald_inflight_limit_drops_total', 'herald_apns_certificate_expiry_timestamp_seconds',
    ];
    for (const name of contract) expect({ name, shown: shown.has(name) }).toEqual({ name, shown: true });
  });

  it('alerts cover the error ratio, 502s, in-flight drops, certificate expiry and missing scrapes', () => {
    const exprs = rules.map((r) => String(r.expr)).join('\n');
    expect(exprs).toMatch(/herald_pushes_total\{outcome=~"temporary_failure\|dropped"\}/);
    expect(exprs).toMatch(/herald_http_responses_total\{code="502"\}/);
    expect(exprs).toMatch(/herald_inflight_limit_drops_total/);
    expect(exprs).toMatch(/herald_apns_certificate_expiry_timestamp_seconds - time\(\) < 14 \* 86400/);
    expect(exprs).toMatch(/absent\(up\{job="herald"\}\)/);
    for (const rule of rules) expect(rule).toMatchObject({ alert: expect.any(String), labels: { severity: expect.any(String) }, annotations: { summary: expect.any(String) } });
  });
});
