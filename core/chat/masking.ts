/**
 * Masking of chat text: the DLP engine and a strict safety net (mask-plan.ts) find what to
 * replace; the scope's registry numbers the placeholders, so the same value keeps the same
 * `[TYPE_N]`. Finding is pure and CPU-bound: large texts go to the CPU pool's threads
 * (core/cpu-pool.ts), so the event loop that carries the streams keeps turning; the registry
 * stays here, on the caller's thread, inside its transaction.
 */
import type { Knex } from 'knex';
import { DlpError, type PlaceholderRegistry, type Vault } from '../dlp/index.js';
import { cpuThreads, runCpuTask } from '../cpu-pool.js';
import { lockRegistry, saveRegistry, type RegistryScope } from '../pii-vault.js';
import { dlpEntities, dlpScanDuration } from '../telemetry/metrics.js';
import { planChatMask, type MaskPlan } from './mask-plan.js';

export interface MaskedText {
  masked: string;
  /** Values replaced, per type. */
  byType: Record<string, number>;
  count: number;
}

/**
 * Below this many characters in all, texts are planned inline: handing them to a thread costs
 * the event loop as much as planning them. `npx tsx bench/dlp/pool-threshold.ts` on 2 cores:
 * inline cheaper at 100 characters, even at 300, the pool cheaper from 1000 on (7x at 20,000).
 */
export const INLINE_CHARS = 1_000;
/** Texts go to the threads in batches of about this many characters: few messages, both threads busy. */
const BATCH_CHARS = 64_000;

/** Numbers the plan's placeholders with `registry` and puts the text together. */
export function applyMaskPlan(plan: MaskPlan, registry: PlaceholderRegistry): MaskedText {
  const t0 = performance.now();
  const tokens = new Array<string>(plan.values.length);
  for (const i of plan.order) {
    const [type, key, value] = plan.values[i]!;
    tokens[i] = registry.placeholder(type, value, key);
  }
  let masked = plan.pieces[0]!;
  for (let i = 0; i < tokens.length; i++) masked += tokens[i]! + plan.pieces[i + 1]!;
  dlpScanDuration.observe(plan.seconds + (performance.now() - t0) / 1000);
  for (const [type, n] of Object.entries(plan.byType)) dlpEntities.inc({ type }, n);
  return { masked, byType: { ...plan.byType }, count: plan.values.length };
}

/** Values numbered between two turns of the event loop when many plans are applied. */
const VALUES_PER_TURN = 2_000;

/**
 * Applies `plans` in order with one registry (a document's paragraphs), letting the event loop
 * turn every few thousand values: numbering a large document's values takes a while too.
 */
export async function applyMaskPlans(plans: MaskPlan[], registry: PlaceholderRegistry): Promise<MaskedText[]> {
  const masked: MaskedText[] = [];
  let values = 0;
  for (const plan of plans) {
    masked.push(applyMaskPlan(plan, registry));
    values += plan.values.length;
    if (values >= VALUES_PER_TURN) {
      values = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return masked;
}

/** Masks `text` with the chat's registry, on this thread: for short texts. */
export function maskChatText(text: string, registry: PlaceholderRegistry): MaskedText {
  return applyMaskPlan(planChatMask(text), registry);
}

/**
 * The plans of `texts`, in order: on the CPU pool when they are large, else inline. Throws
 * DlpError (fail closed) when any text cannot be scanned or a thread fails.
 */
export async function planChatMasks(texts: string[]): Promise<MaskPlan[]> {
  const total = texts.reduce((n, t) => n + t.length, 0);
  if (cpuThreads() === 0 || total < INLINE_CHARS) return texts.map(planChatMask);
  const batches: string[][] = [[]];
  let size = 0;
  for (const text of texts) {
    if (size >= BATCH_CHARS) {
      batches.push([]);
      size = 0;
    }
    batches.at(-1)!.push(text);
    size += text.length;
  }
  const results = await Promise.all(batches.map((batch) => runCpuTask('planChatMasks', batch).catch((cause: unknown) => {
    throw new DlpError('dlp_failed', 'the masking thread failed', { cause });
  })));
  return results.flatMap((r) => {
    if ('error' in r) throw new DlpError(r.error.code, r.error.message);
    return r.plans;
  });
}

/** Masks `text` with `registry`, planned off this thread when it is large. */
export async function maskChatTextOffThread(text: string, registry: PlaceholderRegistry): Promise<MaskedText> {
  const [plan] = await planChatMasks([text]);
  return applyMaskPlan(plan!, registry);
}

/**
 * Masks what a person typed (a title, a file name, a comment) with the registry of its scope,
 * saved in the same transaction, so a name keeps the placeholder it has elsewhere in the scope.
 */
export async function maskInScope(trx: Knex.Transaction, vault: Vault, scope: RegistryScope, texts: string[]): Promise<string[]> {
  const registry = await lockRegistry(trx, vault, scope);
  const masked = texts.map((t) => maskChatText(t, registry).masked);
  await saveRegistry(trx, scope, registry);
  return masked;
}
