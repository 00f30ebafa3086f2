/**
 * The Prometheus rules in deploy/prometheus/rules: valid (promtool when it is on PATH,
 * otherwise their parsed structure), each alert with a severity and a runbook section that
 * exists, and every metric they name exported by the service.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, RULES_DIR, type Rule, exportedMetrics, isDict, ruleFiles, unknownReferences } from './promql.js';

const SEVERITIES = ['page', 'ticket'];
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const RULE_KEYS = new Set(['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);

const isStringMap = (v: unknown) => isDict(v) && Object.values(v).every((x) => typeof x === 'string');

const parsed = ruleFiles();
const files = [...parsed.keys()];
const rulesOf = (file: string): Rule[] => parsed.get(file)?.rules ?? [];
const recorded = new Set(files.flatMap(rulesOf).flatMap((r) => (r.record ? [r.record] : [])));

/** GitHub's anchors of the headings in docs/operations.md. */
function runbookAnchors(): Set<string> {
  const text = readFileSync(`${ROOT}docs/operations.md`, 'utf8');
  const headings = [...text.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) => m[1] ?? '');
  return new Set(headings.map((h) => h.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')));
}

function structureProblems(doc: unknown, anchors: Set<string>): string[] {
  if (!isDict(doc) || !Array.isArray(doc.groups) || doc.groups.length === 0) return ['no `groups` list'];
  const problems: string[] = [];
  for (const [gi, group] of doc.groups.entries()) {
    const where = `groups[${gi}]`;
    if (!isDict(group) || typeof group.name !== 'string' || !group.name) { problems.push(`${where}: needs a name`); continue; }
    if (group.interval !== undefined && !DURATION.test(String(group.interval))) problems.push(`${group.name}: bad interval`);
    if (!Array.isArray(group.rules) || group.rules.length === 0) { problems.push(`${group.name}: no rules`); continue; }
    for (const [ri, rule] of group.rules.entries()) {
      const at = `${group.name}.rules[${ri}]`;
      if (!isDict(rule)) { problems.push(`${at}: not a mapping`); continue; }
      const extra = Object.keys(rule).filter((k) => !RULE_KEYS.has(k));
      if (extra.length) problems.push(`${at}: unknown keys ${extra.join(', ')}`);
      if (typeof rule.expr !== 'string' || !rule.expr.trim()) problems.push(`${at}: needs an expr`);
      else if (!balanced(rule.expr)) problems.push(`${at}: unbalanced brackets in expr`);
      if (rule.labels !== undefined && !isStringMap(rule.labels)) problems.push(`${at}: labels must map to strings`);
      if (typeof rule.record === 'string' === (typeof rule.alert === 'string')) { problems.push(`${at}: needs exactly one of alert, record`); continue; }
      if (typeof rule.record === 'string') {
        if (!/^[a-zA-Z_:][\w:]*$/.test(rule.record)) problems.push(`${at}: bad record name ${rule.record}`);
        if ('for' in rule || 'annotations' in rule) problems.push(`${at}: a recording rule takes no for/annotations`);
        continue;
      }
      if (rule.for !== undefined && !DURATION.test(String(rule.for))) problems.push(`${at}: bad for ${String(rule.for)}`);
      const labels = isDict(rule.labels) ? rule.labels : {};
      if (!SEVERITIES.includes(String(labels.severity))) problems.push(`${at}: severity must be one of ${SEVERITIES.join(', ')}`);
      const notes = isDict(rule.annotations) ? rule.annotations : {};
      if (!isStringMap(rule.annotations)) problems.push(`${at}: annotations must map to strings`);
      if (typeof notes.summary !== 'string' || !notes.summary) problems.push(`${at}: needs a summary annotation`);
      const anchor = /^docs\/operations\.md#(.+)$/.exec(String(notes.runbook))?.[1];
      if (!anchor || !anchors.has(anchor)) problems.push(`${at}: runbook ${String(notes.runbook)} is not a section of docs/operations.md`);
    }
  }
  return problems;
}

function balanced(expr: string): boolean {
  const open: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const ch of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ('([{'.includes(ch)) open.push(ch);
    else if (ch in pairs && open.pop() !== pairs[ch]) return false;
  }
  return open.length === 0;
}

const promtool = spawnSync('promtool', ['--version']).error ? undefined : 'promtool';

describe('Prometheus rules in deploy/prometheus/rules', () => {
  let exported: Awaited<ReturnType<typeof exportedMetrics>>;
  beforeAll(async () => {
    exported = await exportedMetrics();
  });

  it('has the SLO and service rule files', () => {
    expect(files).toEqual(expect.arrayContaining(['slo.yml', 'service.yml']));
  });

  it.each(files)('%s is valid: promtool when installed, and our own rules for alerts', (file) => {
    if (promtool) {
      const run = spawnSync(promtool, ['check', 'rules', RULES_DIR + file], { encoding: 'utf8' });
      expect(run.status, run.stdout + run.stderr).toBe(0);
    }
    expect(structureProblems(parsed.get(file)?.doc, runbookAnchors())).toEqual([]);
  });

  it.each(files)('%s names only metrics the service exports, and buckets it has', (file) => {
    expect(rulesOf(file).flatMap((r) => unknownReferences(r.expr, exported, recorded))).toEqual([]);
  });

  it('burns the error budgets at the SRE workbook rates: 14.4x over 1h/5m, 6x over 6h/30m (page), 1x over 3d/6h (ticket)', () => {
    const burns = rulesOf('slo.yml').filter((r) => r.alert).map((r) => {
      const windows = [...r.expr.matchAll(/ratio_rate(\w+)/g)].map((m) => m[1]).join('/');
      return `${r.alert} ${windows} ${String(r.labels?.severity)}`;
    });
    expect(burns).toEqual([
      'ChatReplyErrorBudgetBurn 1h/5m page',
      'ChatReplyErrorBudgetBurn 6h/30m page',
      'ChatReplyErrorBudgetBurn 3d/6h ticket',
      'FirstTokenLatencyBudgetBurn 1h/5m page',
      'FirstTokenLatencyBudgetBurn 6h/30m page',
      'FirstTokenLatencyBudgetBurn 3d/6h ticket',
    ]);
  });
});
