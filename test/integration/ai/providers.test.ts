import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aiConfigFromEnv } from '../../../core/ai/config.js';
import { createAnthropicProvider } from '../../../core/ai/providers/anthropic.js';
import { createOpenAiProvider } from '../../../core/ai/providers/openai.js';
import { createYandexProvider } from '../../../core/ai/providers/yandex.js';
import type { AiProvider, CompletionRequest, StreamEvent } from '../../../core/ai/types.js';
import { startFakeAnthropic, startFakeOpenAI, startFakeYandex, type FakeProvider } from '../../helpers/fake-providers/index.js';

const ANSWER = 'По ст. 81 ТК РФ увольнение возможно только по основаниям из закона 😀.';
const req: CompletionRequest = {
  messages: [
    { role: 'system', content: 'Ты юридический ассистент.' },
    { role: 'user', content: 'Меня, [PERSON_1], уволили. Что делать?' },
  ],
  maxTokens: 300,
};

async function collect(provider: AiProvider, key: string) {
  const events: StreamEvent[] = [];
  for await (const e of provider.stream(req, key)) events.push(e);
  return {
    deltas: events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])),
    usage: events.filter((e) => e.type === 'usage'),
  };
}

let openai: FakeProvider;
let anthropic: FakeProvider;
let yandex: FakeProvider;
let providers: Record<'openai' | 'anthropic' | 'yandex', AiProvider>;

beforeAll(async () => {
  [openai, anthropic, yandex] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeYandex()]);
  const cfg = aiConfigFromEnv({
    OPENAI_API_KEY: 'sk-1',
    OPENAI_BASE_URL: openai.url,
    ANTHROPIC_API_KEY: 'sk-ant-1',
    ANTHROPIC_BASE_URL: anthropic.url,
    YANDEX_API_KEY: 'ya-1',
    YANDEX_FOLDER_ID: 'b1gfolder',
    YANDEX_BASE_URL: yandex.url,
  });
  providers = {
    openai: createOpenAiProvider(cfg.openai, cfg.maxTokens),
    anthropic: createAnthropicProvider(cfg.anthropic, cfg.maxTokens),
    yandex: createYandexProvider(cfg.yandex, cfg.maxTokens),
  };
});
afterAll(() => Promise.all([openai.close(), anthropic.close(), yandex.close()]));
beforeEach(() => {
  for (const f of [openai, anthropic, yandex]) f.reset();
});

describe.each(['openai', 'anthropic', 'yandex'] as const)('%s provider through its wire protocol', (name) => {
  const fake = () => ({ openai, anthropic, yandex })[name];

  it('streams the answer in the pieces the server sent, then the usage it reported', async () => {
    fake().script({ kind: 'text', text: ANSWER, chunks: 5, usage: { input: 42, output: 17 } });
    const { deltas, usage } = await collect(providers[name], 'key-a');
    expect(deltas.length).toBe(5);
    expect(deltas.join('')).toBe(ANSWER);
    expect(usage).toEqual([{ type: 'usage', inputTokens: 42, outputTokens: 17 }]);
    const sent = fake().requests[0];
    expect(sent?.apiKey).toBe('key-a');
    expect(sent?.firstTokenAt).toBeGreaterThanOrEqual(sent?.receivedAt ?? Infinity);
  });

  it.each([
    [429, 'rate_limited', true],
    [500, 'upstream_error', true],
    [400, 'bad_request', false],
    [401, 'auth_failed', false],
  ])('maps HTTP %i to %s', async (status, code, retryable) => {
    fake().script({ kind: 'error', status, retryAfter: 2 });
    await expect(collect(providers[name], 'key-a')).rejects.toMatchObject({ code, retryable, status });
  });

  it('reports retry-after in milliseconds', async () => {
    fake().script({ kind: 'error', status: 429, retryAfter: 2 });
    await expect(collect(providers[name], 'key-a')).rejects.toMatchObject({ retryAfterMs: 2000 });
  });
});

describe('protocol details', () => {
  it('openai asks for usage in the stream and sends the whole conversation', async () => {
    await collect(providers.openai, 'k');
    const body = openai.requests[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, max_tokens: 300 });
    expect(body.messages).toEqual(req.messages);
    expect(openai.requests[0]?.headers.authorization).toBe('Bearer k');
  });

  it('anthropic gets system instructions as the system parameter', async () => {
    await collect(providers.anthropic, 'k');
    const body = anthropic.requests[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({ stream: true, system: 'Ты юридический ассистент.', max_tokens: 300 });
    expect(body.messages).toEqual([{ role: 'user', content: 'Меня, [PERSON_1], уволили. Что делать?' }]);
    expect(anthropic.requests[0]?.apiKey).toBe('k');
    expect(anthropic.requests[0]?.headers['anthropic-version']).toBeTruthy();
  });

  it('anthropic 529 is overloaded, and an overloaded_error event mid-stream fails after the text sent so far', async () => {
    anthropic.script({ kind: 'error', status: 529 });
    await expect(collect(providers.anthropic, 'k')).rejects.toMatchObject({ code: 'overloaded', retryable: true });

    anthropic.script({ kind: 'text', text: ANSWER, chunks: 4, breakAfter: 2 });
    const seen: string[] = [];
    const run = async () => {
      for await (const e of providers.anthropic.stream(req, 'k')) if (e.type === 'delta') seen.push(e.text);
    };
    await expect(run()).rejects.toMatchObject({ code: 'overloaded' });
    expect(seen.length).toBe(2);
  });

  it('yandex: Api-Key auth, modelUri with the folder, no-logging header, deltas from cumulative text', async () => {
    yandex.script({ kind: 'text', text: ANSWER, chunks: 7 });
    const { deltas } = await collect(providers.yandex, 'ya-secret');
    const sent = yandex.requests[0];
    expect(sent?.headers.authorization).toBe('Api-Key ya-secret');
    expect(sent?.headers['x-data-logging-enabled']).toBe('false');
    expect(sent?.body).toMatchObject({
      modelUri: 'gpt://b1gfolder/yandexgpt/latest',
      completionOptions: { stream: true, maxTokens: '300' },
      messages: [
        { role: 'system', text: 'Ты юридический ассистент.' },
        { role: 'user', text: 'Меня, [PERSON_1], уволили. Что делать?' },
      ],
    });
    // Each line repeats the whole text so far; the deltas must not.
    expect(deltas.length).toBe(7);
    expect(deltas.join('')).toBe(ANSWER);
  });

  it('yandex: a dropped connection mid-stream is a retryable network error', async () => {
    yandex.script({ kind: 'text', text: ANSWER, chunks: 4, breakAfter: 2, delayMs: 5 });
    await expect(collect(providers.yandex, 'k')).rejects.toMatchObject({ retryable: true });
  });
});
