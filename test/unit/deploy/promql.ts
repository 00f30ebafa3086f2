/**
 * What the PromQL in deploy/ (alert rules, dashboard panels) refers to, checked against
 * the metrics this service registers, so a renamed metric cannot leave behind an alert that
 * never fires or a panel that stays empty. Not a PromQL parser: enough for the expressions
 * of this repository, whose syntax promtool checks where it is installed.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { registry } from '../../../core/telemetry/metrics.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RULES_DIR = `${ROOT}deploy/prometheus/rules/`;

/** Series that Prometheus writes itself for every target. */
const PROMETHEUS_OWN = new Set(['up']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
const HISTOGRAM_SERIES = /_(bucket|count|sum)$/;

/** Metric (and recording rule) names in an expression: not functions, labels or keywords. */
function metricNames(expr: string): string[] {
  const code = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const [, name, call] of code.matchAll(/(?<![\w:.$])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    if (name && !call && !KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

type Exported = Map<string, { type: string; upperBounds?: readonly number[] }>;

/** Name → type (and a histogram's bucket bounds) of every metric the service registers. */
export async function exportedMetrics(): Promise<Exported> {
  const out: Exported = new Map();
  for (const { name, type } of await registry.getMetricsAsJSON()) {
    // prom-client keeps a histogram's bounds on the instance only (`upperBounds`).
    const metric = registry.getSingleMetric(name) as unknown as { upperBounds?: readonly number[] };
    out.set(name, { type: String(type), upperBounds: metric.upperBounds });
  }
  return out;
}

/** The exported metric a series name belongs to (`x_bucket` → histogram `x`), if any. */
function exportedBase(series: string, exported: Exported): string | undefined {
  if (exported.has(series)) return series;
  const base = series.replace(HISTOGRAM_SERIES, '');
  const type = exported.get(base)?.type;
  return base !== series && (type === 'histogram' || (type === 'summary' && !series.endsWith('_bucket'))) ? base : undefined;
}

/** Problems with the names an expression uses: unknown metrics, `le` bounds no bucket has. */
export function unknownReferences(expr: string, exported: Exported, recorded: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const name of metricNames(expr)) {
    if (!recorded.has(name) && !PROMETHEUS_OWN.has(name) && !exportedBase(name, exported)) {
      problems.push(`${name} is not exported by the service`);
    }
  }
  for (const [, base, le] of expr.matchAll(/([A-Za-z_:][\w:]*)_bucket\{[^}]*\ble="([^"]*)"/g)) {
    const bounds = base ? exported.get(base)?.upperBounds : undefined;
    if (bounds && !bounds.includes(Number(le))) problems.push(`${base} has no bucket le="${le}" (buckets: ${bounds.join(', ')})`);
  }
  return problems;
}

export function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8'));
}

export interface Rule { alert?: string; record?: string; expr: string; labels?: Record<string, unknown> }

/** The rules of each file in deploy/prometheus/rules, by file name. */
export function ruleFiles(): Map<string, { doc: unknown; rules: Rule[] }> {
  const files = readdirSync(RULES_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
  return new Map(files.map((file) => {
    const doc = readYaml(RULES_DIR + file);
    const groups = isDict(doc) && Array.isArray(doc.groups) ? doc.groups : [];
    const rules = groups.flatMap((g: unknown) => (isDict(g) && Array.isArray(g.rules) ? (g.rules as Rule[]) : []));
    return [file, { doc, rules }];
  }));
}

export const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
