/**
 * Masking on the CPU pool's threads (core/cpu-pool.ts): the same output as masking inline,
 * byte for byte, and an event loop that keeps turning while a document of several MB is masked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/dlp/corpus.js';
import { SAFETY_NET } from '../../../core/chat/mask-plan.js';
import { applyMaskPlans, INLINE_CHARS, planChatMasks } from '../../../core/chat/masking.js';
import { closeCpuPool, configureCpuPool } from '../../../core/cpu-pool.js';
import { mask, PlaceholderRegistry } from '../../../core/dlp/index.js';

/** Masking as it was done on one thread before the pool: mask(), then the safety net over its output. */
function maskedBefore(text: string, registry: PlaceholderRegistry): string {
  let masked = mask(text, { registry }).masked;
  for (const { type, pattern } of SAFETY_NET) masked = masked.replace(pattern, (value) => registry.placeholder(type, value));
  return masked;
}

async function maskedOnPool(texts: string[], registry: PlaceholderRegistry): Promise<string[]> {
  const masked = await applyMaskPlans(await planChatMasks(texts), registry);
  return masked.map((m) => m.masked);
}

/** A generous limit: the threads load the DLP dictionaries first, and CI machines are busy. */
const SLOW = 120_000;

// Placeholders typed by a person, values glued to found names, numbers the engine rejects
// next to placeholders: where the net reads text already masked.
const EDGES = [
  'Иванов Иван Иванович, ivanov@mail.ru, [PERSON_1] и [PHONE_12] набрал сам, тел. 8 916 123-45-67',
  'Петров Пётр.petrov@mail.ru написал с карты 4111 1111 1111 1112 и 4111111111111112[CARD_1]',
  'СНИЛС 112-233-445 95 и 112 233 445 96, ИНН 7707083893 и 7707083894_1, 123456789012]',
  'Сидорова Анна, +7 (495) 111-22-33; Сидоровой Анне звонили с 89161234567 и с 8(916)1234568.',
];

beforeAll(() => configureCpuPool(2));
afterAll(async () => {
  await closeCpuPool();
  configureCpuPool(undefined);
});

describe('masking on the CPU pool', () => {
  it('masks the DLP corpus exactly as masking inline did, with the same registry', async () => {
    const texts = [...EDGES, ...generateCorpus(20160101, 30).map((d) => d.text)];
    expect(texts.join('').length).toBeGreaterThan(INLINE_CHARS);
    const before = new PlaceholderRegistry();
    const expected = texts.map((t) => maskedBefore(t, before));
    const after = new PlaceholderRegistry();
    expect(await maskedOnPool(texts, after)).toEqual(expected);
    expect(after.toJSON()).toEqual(before.toJSON());
  }, SLOW);

  it('keeps the event loop turning while several MB of text are masked', async () => {
    const corpus = generateCorpus(7, 200).map((d) => d.text);
    const paragraphs: string[] = [];
    for (let size = 0, i = 0; size < 4_000_000; i++) {
      paragraphs.push(corpus[i % corpus.length]!);
      size += corpus[i % corpus.length]!.length;
    }
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    try {
      const masked = await maskedOnPool(paragraphs, new PlaceholderRegistry());
      expect(masked).toHaveLength(paragraphs.length);
    } finally {
      clearInterval(interval);
    }
    // Masked on this thread, the interval could not fire once before the masking ended.
    expect(ticks).toBeGreaterThanOrEqual(10);
  }, SLOW);

  it('fails closed with the DlpError the thread met', async () => {
    await expect(planChatMasks(['x'.repeat(10_000_001)])).rejects.toMatchObject({ name: 'DlpError', code: 'dlp_too_large' });
  });

  it('runs inline with 0 threads, to the same result', async () => {
    configureCpuPool(0);
    try {
      const texts = generateCorpus(3, 5).map((d) => d.text);
      const before = new PlaceholderRegistry();
      expect(await maskedOnPool(texts, new PlaceholderRegistry())).toEqual(texts.map((t) => maskedBefore(t, before)));
    } finally {
      configureCpuPool(2);
    }
  });
});
