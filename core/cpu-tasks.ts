/**
 * What the CPU pool's threads run (core/cpu-pool.ts): pure functions whose inputs and results
 * cross threads by structured clone. Errors cross as plain data: a clone would lose DlpError's
 * class and code, and the caller must still fail closed on them.
 */
import { planChatMask, type MaskPlan } from './chat/mask-plan.js';
import { DlpError } from './dlp/index.js';
import { chunkParagraphs } from './documents/chunk.js';

type DlpCode = ConstructorParameters<typeof DlpError>[0];
export type PlansOrError = { plans: MaskPlan[] } | { error: { code: DlpCode; message: string } };

export function planChatMasks(texts: string[]): PlansOrError {
  try {
    return { plans: texts.map(planChatMask) };
  } catch (err) {
    if (err instanceof DlpError) return { error: { code: err.code as DlpCode, message: err.message } };
    throw err;
  }
}

export { chunkParagraphs };
