/**
 * The `observability` profile of docker-compose.yml is wired to the files it serves:
 * Prometheus scrapes the ports the api and workers listen on, with the token they check,
 * from the config and rules mounted where it reads them; Grafana finds its provisioning and
 * the dashboard. deploy/check-compose.ts checks the file against the Compose schema.
 */
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, readYaml } from './promql.js';

interface Service {
  profiles?: string[];
  environment: Record<string, string | null>;
  expose: Array<string | number>;
  networks: string[];
  volumes: string[];
  command: string[];
  secrets: Array<{ source: string }>;
}
interface ScrapeConfig { job_name: string; authorization?: unknown; dns_sd_configs: Array<{ port: number }> }

const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<'api' | 'workers' | 'prometheus' | 'grafana', Service> & Record<string, Service>;
  secrets: Record<string, unknown>;
};
const services = compose.services;
const prometheusConfig = readYaml(`${ROOT}deploy/prometheus/prometheus.yml`) as { rule_files: string[]; scrape_configs: ScrapeConfig[] };
const grafanaFile = <T>(path: string) => readYaml(`${ROOT}deploy/grafana/provisioning/${path}`) as T;

/** Container path → host path (relative to the repository) of a service's bind mounts. */
function mounts(service: Service): Map<string, string> {
  return new Map(service.volumes.flatMap((v) => {
    const [, host, container] = /^\.\/([^:]+):([^:]+)/.exec(v) ?? [];
    return host && container ? [[container, host] as const] : [];
  }));
}

function scrape(job: string): ScrapeConfig | undefined {
  return prometheusConfig.scrape_configs.find((c) => c.job_name === job);
}

describe('docker-compose.yml, profile observability', () => {
  it('adds prometheus and grafana only under the profile, leaving the default stack as it was', () => {
    const profiled = Object.entries(services).filter(([, s]) => s.profiles).map(([name, s]) => `${name}: ${s.profiles?.join(',')}`);
    expect(profiled.sort()).toEqual(['grafana: observability', 'prometheus: observability']);
  });

  it('has Prometheus scrape the ports api and workers listen on, on all interfaces', () => {
    const port = (job: string) => scrape(job)?.dns_sd_configs[0]?.port;
    expect(String(port('api'))).toBe(services.api.environment.PORT);
    expect(services.workers.expose.map(String)).toContain(String(port('workers')));
    expect(services.workers.environment.HOST).toBe('0.0.0.0');
    const data = (s: Service) => s.networks.includes('data');
    expect([services.api, services.workers, services.prometheus].every(data)).toBe(true);
  });

  it('gives Prometheus the METRICS_TOKEN that api and workers check, as the file it sends', () => {
    expect(compose.secrets.metrics_token).toEqual({ environment: 'METRICS_TOKEN' });
    expect('METRICS_TOKEN' in services.api.environment && 'METRICS_TOKEN' in services.workers.environment).toBe(true);
    expect(services.prometheus.secrets.map((s) => s.source)).toContain('metrics_token');
    for (const job of ['api', 'workers']) {
      expect(scrape(job)?.authorization).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/metrics_token' });
    }
  });

  it('mounts the Prometheus config and rules, and the Grafana provisioning and dashboard, where they are read', () => {
    const prom = mounts(services.prometheus);
    const configArg = services.prometheus.command.find((a) => a.startsWith('--config.file='));
    expect(configArg).toBe('--config.file=/etc/prometheus/prometheus.yml');
    expect(prom.get('/etc/prometheus')).toBe('deploy/prometheus');
    expect(prometheusConfig.rule_files).toEqual(['rules/*.yml']);

    const grafana = mounts(services.grafana);
    expect(grafana.get('/etc/grafana/provisioning')).toBe('deploy/grafana/provisioning');
    const [provider] = grafanaFile<{ providers: Array<{ options: { path: string } }> }>('dashboards/dashboards.yml').providers;
    expect(grafana.get(provider?.options.path ?? '')).toBe('deploy/grafana/dashboards');
    const [datasource] = grafanaFile<{ datasources: Array<{ url: string }> }>('datasources/prometheus.yml').datasources;
    expect(datasource?.url).toBe('http://prometheus:9090');
    expect(services.grafana.networks.filter((n) => services.prometheus.networks.includes(n))).not.toEqual([]);
  });
});
