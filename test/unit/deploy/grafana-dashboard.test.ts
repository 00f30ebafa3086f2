/**
 * The Grafana dashboard in deploy/grafana: every panel reads the provisioned Prometheus and
 * queries only metrics the service exports (or the SLO rules record), so no panel stays
 * empty because of a renamed metric; and the panels do not overlap on the grid.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, exportedMetrics, isDict, readYaml, ruleFiles, unknownReferences } from './promql.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
}

const dashboard = JSON.parse(readFileSync(`${ROOT}deploy/grafana/dashboards/legal-ai.json`, 'utf8')) as { uid: string; panels: Panel[] };
const queried = dashboard.panels.filter((p) => p.type !== 'row');

function provisionedUid(): unknown {
  const doc = readYaml(`${ROOT}deploy/grafana/provisioning/datasources/prometheus.yml`);
  const sources = isDict(doc) && Array.isArray(doc.datasources) ? doc.datasources : [];
  return sources.find((s: unknown) => isDict(s) && s.type === 'prometheus')?.uid;
}

describe('Grafana dashboard legal-ai.json', () => {
  it('reads every panel and query from the provisioned Prometheus data source', () => {
    const uid = provisionedUid();
    expect(uid).toBeTypeOf('string');
    const elsewhere = queried.filter((p) => p.datasource?.uid !== uid || p.targets?.some((t) => t.datasource?.uid !== uid));
    expect(elsewhere.map((p) => p.title)).toEqual([]);
  });

  it('queries only metrics the service exports or the SLO rules record', async () => {
    const exported = await exportedMetrics();
    const recorded = new Set([...ruleFiles().values()].flatMap(({ rules }) => rules.flatMap((r) => (r.record ? [r.record] : []))));
    expect(queried.filter((p) => !p.targets?.length).map((p) => p.title)).toEqual([]);
    const problems = queried.flatMap((p) => (p.targets ?? []).flatMap((t) => unknownReferences(t.expr, exported, recorded).map((e) => `${p.title}: ${e}`)));
    expect(problems).toEqual([]);
  });

  it('has unique panel ids and no overlapping panels', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const overlaps: string[] = [];
    dashboard.panels.forEach((a, i) => dashboard.panels.slice(i + 1).forEach((b) => {
      const [p, q] = [a.gridPos, b.gridPos];
      if (p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h) overlaps.push(`${a.title} / ${b.title}`);
    }));
    expect(overlaps).toEqual([]);
    expect(dashboard.panels.every((p) => p.gridPos.x + p.gridPos.w <= 24)).toBe(true);
  });
});
