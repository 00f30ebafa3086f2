import { describe, expect, it } from 'vitest';
import { createOfflineProvider, OFFLINE_MODEL } from '../../../core/ai/providers/offline.js';
import type { CompletionRequest, StreamEvent } from '../../../core/ai/types.js';

async function run(req: CompletionRequest) {
  const events: StreamEvent[] = [];
  for await (const e of createOfflineProvider().stream(req, 'offline')) events.push(e);
  const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
  return { events, text };
}

const question = 'Работодатель уволил меня без приказа и не выплатил зарплату за март. Что делать?';
const req: CompletionRequest = {
  messages: [
    { role: 'system', content: 'Ты юридический ассистент.' },
    { role: 'user', content: question },
  ],
};

describe('offline provider', () => {
  it('is labelled offline with its own model name', () => {
    const p = createOfflineProvider();
    expect(p.name).toBe('offline');
    expect(p.model).toBe(OFFLINE_MODEL);
  });

  it('is deterministic and streams in several deltas followed by usage', async () => {
    const a = await run(req);
    const b = await run(req);
    expect(a.text).toBe(b.text);
    expect(a.events.filter((e) => e.type === 'delta').length).toBeGreaterThan(3);
    const usage = a.events.at(-1);
    expect(usage).toMatchObject({ type: 'usage' });
    if (usage?.type === 'usage') expect(usage.outputTokens).toBeGreaterThan(10);
  });

  it('restates the question, lists what a lawyer needs, suggests a review and says it is automatic', async () => {
    const { text } = await run(req);
    expect(text).toContain(`«${question}»`);
    expect(text).toContain('трудовой договор');
    expect(text).toMatch(/ст\. 392 ТК РФ/);
    expect(text).toMatch(/запросить проверку юриста/);
    expect(text).toMatch(/автоматический офлайн-ответ/);
  });

  it('answers the latest user message and falls back to a generic checklist', async () => {
    const { text } = await run({
      messages: [
        { role: 'user', content: 'Вопрос про наследство' },
        { role: 'assistant', content: '...' },
        { role: 'user', content: 'Сосед залил мой гараж, как быть?' },
      ],
    });
    expect(text).toContain('«Сосед залил мой гараж, как быть?»');
    expect(text).toContain('хронология событий');
    expect(text).not.toContain('наследство');
  });
});
