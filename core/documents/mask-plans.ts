/**
 * Masking plans for document text (ingestion and the masked export alike). A document keeps
 * its tabs (within a line, and between the cells of a table row), but the detectors' patterns
 * space their parts with spaces («серия 45 06 № 123456»): they read a copy with every tab as a
 * space, of the same length, and the plan's literal pieces are then taken back from the text
 * itself, so the masked text keeps the tabs no value covered.
 */
import { planChatMask, type MaskPlan } from '../chat/mask-plan.js';
import { planChatMasks } from '../chat/masking.js';

const asSpaces = (text: string) => text.replaceAll('\t', ' ');

/** `plan` (of `asSpaces(text)`) with its pieces cut from `text` at the same places. */
function withPiecesOf(text: string, plan: MaskPlan): MaskPlan {
  let at = 0;
  const pieces = plan.pieces.map((piece, i) => {
    const own = text.slice(at, at + piece.length);
    at += piece.length + (plan.values[i]?.[2].length ?? 0);
    return own;
  });
  return { ...plan, pieces };
}

/** The plans of `texts`, in order (on the CPU pool when they are large); fails closed as planChatMasks does. */
export async function planDocumentMasks(texts: string[]): Promise<MaskPlan[]> {
  const plans = await planChatMasks(texts.map(asSpaces));
  return plans.map((plan, i) => withPiecesOf(texts[i]!, plan));
}

export function planDocumentMask(text: string): MaskPlan {
  return withPiecesOf(text, planChatMask(asSpaces(text)));
}
