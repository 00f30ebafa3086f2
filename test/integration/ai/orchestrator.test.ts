import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aiConfigFromEnv } from '../../../core/ai/config.js';
import { AllProvidersFailedError, ProviderError } from '../../../core/ai/errors.js';
import { createOrchestrator } from '../../../core/ai/orchestrator.js';
import {
  fakeProviderEnv,
  startFakeAnthropic,
  startFakeOpenAI,
  startFakeYandex,
  type FakeProvider,
} from '../../helpers/fake-providers/index.js';

const logger = pino({ level: 'silent' });
const req = { messages: [{ role: 'user' as const, content: 'Можно ли уволить работника на больничном?' }] };
const OPENAI_TEXT = 'Ответ OpenAI: нет, по ч. 6 ст. 81 ТК РФ нельзя.';
const ANTHROPIC_TEXT = 'Ответ Anthropic: увольнение на больничном запрещено.';
const YANDEX_TEXT = 'Ответ YandexGPT: по инициативе работодателя нельзя.';

let openai: FakeProvider;
let anthropic: FakeProvider;
let yandex: FakeProvider;

beforeAll(async () => {
  [openai, anthropic, yandex] = await Promise.all([
    startFakeOpenAI({ text: OPENAI_TEXT }),
    startFakeAnthropic({ text: ANTHROPIC_TEXT }),
    startFakeYandex({ text: YANDEX_TEXT }),
  ]);
});
afterAll(() => Promise.all([openai.close(), anthropic.close(), yandex.close()]));
beforeEach(() => {
  for (const f of [openai, anthropic, yandex]) {
    f.reset();
    f.setDefault({ kind: 'text' });
  }
});

function orchestrator(env: Record<string, string> = {}) {
  const cfg = aiConfigFromEnv({
    ...fakeProviderEnv({ openai, anthropic, yandex }),
    AI_RETRY_BASE_MS: '5',
    AI_TIMEOUT_MS: '2000',
    ...env,
  });
  return createOrchestrator(cfg, logger);
}

async function complete(orch: ReturnType<typeof orchestrator>) {
  const deltas: string[] = [];
  const starts: string[] = [];
  const result = await orch.complete(req, { onStart: (p) => starts.push(p), onDelta: (t) => deltas.push(t) });
  return { result, deltas, starts };
}

describe('retries and failover', () => {
  it('retries after a 429 and answers from the same provider', async () => {
    openai.script({ kind: 'error', status: 429, retryAfter: 0 });
    const { result, deltas, starts } = await complete(orchestrator());
    expect(result).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', text: OPENAI_TEXT });
    expect(deltas.join('')).toBe(OPENAI_TEXT);
    expect(starts).toEqual(['openai']);
    expect(openai.calls).toBe(2);
    expect(anthropic.calls).toBe(0);
  });

  it('a retry-after longer than allowed moves to the next provider at once', async () => {
    openai.script({ kind: 'error', status: 429, retryAfter: 30 });
    const started = Date.now();
    const { result } = await complete(orchestrator({ AI_RETRY_AFTER_MAX_MS: '1000' }));
    expect(result.provider).toBe('anthropic');
    expect(openai.calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('when the first provider keeps answering 500, the answer comes from the second and says so', async () => {
    openai.setDefault({ kind: 'error', status: 500 });
    const { result, deltas, starts } = await complete(orchestrator({ AI_MAX_RETRIES: '2' }));
    expect(result).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6', text: ANTHROPIC_TEXT });
    expect(deltas.join('')).toBe(ANTHROPIC_TEXT);
    expect(starts).toEqual(['anthropic']);
    expect(openai.calls).toBe(3);
    expect(result.usage.output_tokens).toBeGreaterThan(0);
  });

  it('an overloaded Anthropic (529) fails over to YandexGPT', async () => {
    anthropic.setDefault({ kind: 'error', status: 529 });
    const { result } = await complete(orchestrator({ AI_PROVIDERS: 'anthropic,yandex', AI_MAX_RETRIES: '1' }));
    expect(result).toMatchObject({ provider: 'yandex', model: 'yandexgpt/latest', text: YANDEX_TEXT });
    expect(anthropic.calls).toBe(2);
    expect(yandex.requests[0]?.headers['x-data-logging-enabled']).toBe('false');
  });

  it('a provider that hangs before the first token times out and the next one answers', async () => {
    openai.script({ kind: 'hang' });
    const { result } = await complete(orchestrator({ AI_TIMEOUT_MS: '300', AI_MAX_RETRIES: '0' }));
    expect(result.provider).toBe('anthropic');
  });

  it('a bad request (400) fails fast: no retry, no failover', async () => {
    openai.script({ kind: 'error', status: 400 });
    const err = await orchestrator().complete(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'bad_request', retryable: false, provider: 'openai' });
    expect(openai.calls).toBe(1);
    expect(anthropic.calls + yandex.calls).toBe(0);
  });

  it('when every provider fails the error is ai_unavailable and lists why', async () => {
    for (const f of [openai, anthropic, yandex]) f.setDefault({ kind: 'error', status: 503 });
    const err = await orchestrator({ AI_MAX_RETRIES: '0' }).complete(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AllProvidersFailedError);
    expect(err).toMatchObject({ code: 'ai_unavailable' });
    expect((err as AllProvidersFailedError).failures.map((f) => f.provider)).toEqual(['openai', 'anthropic', 'yandex']);
  });

  it('by default tries openai, anthropic, yandex in turn, and never answers with the canned offline text', async () => {
    openai.setDefault({ kind: 'error', status: 500 });
    const { result } = await complete(orchestrator({ AI_PROVIDERS: '', AI_MAX_RETRIES: '0' }));
    expect(result).toMatchObject({ provider: 'anthropic', text: ANTHROPIC_TEXT });
    for (const f of [anthropic, yandex]) f.setDefault({ kind: 'error', status: 500 });
    const err = await orchestrator({ AI_PROVIDERS: '', AI_MAX_RETRIES: '0' }).complete(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AllProvidersFailedError);
    expect((err as AllProvidersFailedError).failures.map((f) => f.provider)).toEqual(['openai', 'anthropic', 'yandex']);
  });

  it('offline, listed last, answers when every network provider fails', async () => {
    for (const f of [openai, anthropic, yandex]) f.setDefault({ kind: 'error', status: 500 });
    const { result } = await complete(orchestrator({ AI_PROVIDERS: 'openai,anthropic,yandex,offline', AI_MAX_RETRIES: '0' }));
    expect(result).toMatchObject({ provider: 'offline', model: 'offline-legal-v1', degraded: true });
    expect(result.text).toContain('Можно ли уволить работника на больничном?');
  });
});

describe('mid-stream failures', () => {
  it('after the first token the orchestrator never switches provider: it throws', async () => {
    openai.script({ kind: 'text', chunks: 4, breakAfter: 2, delayMs: 5 });
    const deltas: string[] = [];
    const starts: string[] = [];
    const err = await orchestrator()
      .complete(req, { onStart: (p) => starts.push(p), onDelta: (t) => deltas.push(t) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ provider: 'openai', midStream: true, retryable: true });
    expect(starts).toEqual(['openai']);
    expect(OPENAI_TEXT.startsWith(deltas.join(''))).toBe(true);
    expect(deltas.length).toBe(2);
    expect(openai.calls).toBe(1);
    expect(anthropic.calls + yandex.calls).toBe(0);
  });

  it('an overloaded_error event in the middle of an Anthropic stream is not spliced with YandexGPT', async () => {
    anthropic.script({ kind: 'text', chunks: 5, breakAfter: 3 });
    const deltas: string[] = [];
    const err = await orchestrator({ AI_PROVIDERS: 'anthropic,yandex' })
      .complete(req, { onDelta: (t) => deltas.push(t) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'overloaded', provider: 'anthropic', midStream: true });
    expect(deltas.join('')).not.toContain('YandexGPT');
    expect(yandex.calls).toBe(0);
  });

  it('an idle stream after the first token times out as a mid-stream failure', async () => {
    openai.script({ kind: 'text', chunks: 3, delayMs: 400 });
    const err = await orchestrator({ AI_TIMEOUT_MS: '1000', AI_IDLE_TIMEOUT_MS: '150' })
      .complete(req)
      .catch((e: unknown) => e);
    // The first piece itself arrives after 400 ms (< 1000 ms), the second would need another 400 ms.
    expect(err).toMatchObject({ code: 'timeout', midStream: true, provider: 'openai' });
  });
});

describe('circuit breaker', () => {
  // Long enough for the calls that must see the circuit open to finish inside it on a busy machine.
  const COOLDOWN_MS = 1500;
  const env = { AI_MAX_RETRIES: '0', AI_CIRCUIT_FAILURES: '3', AI_CIRCUIT_COOLDOWN_MS: String(COOLDOWN_MS) };
  const cooledDown = () => new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));

  async function tripOpenAi(orch: ReturnType<typeof orchestrator>) {
    openai.setDefault({ kind: 'error', status: 500 });
    for (let i = 0; i < 3; i++) expect((await complete(orch)).result.provider).toBe('anthropic');
    expect(openai.calls).toBe(3);
    expect(orch.circuits().openai).toBe('open');
  }

  it('opens after N failures: the first provider is not called while open, then one probe closes it', async () => {
    const orch = orchestrator(env);
    await tripOpenAi(orch);
    for (let i = 0; i < 3; i++) expect((await complete(orch)).result.provider).toBe('anthropic');
    expect(openai.calls).toBe(3);

    await cooledDown();
    expect(orch.circuits().openai).toBe('half-open');
    openai.setDefault({ kind: 'text' });
    expect((await complete(orch)).result.provider).toBe('openai');
    expect(openai.calls).toBe(4);
    expect(orch.circuits().openai).toBe('closed');
  });

  it('a failed half-open probe opens the circuit again', async () => {
    const orch = orchestrator(env);
    await tripOpenAi(orch);
    await cooledDown();
    expect((await complete(orch)).result.provider).toBe('anthropic');
    expect(openai.calls).toBe(4);
    expect(orch.circuits().openai).toBe('open');
    await complete(orch);
    expect(openai.calls).toBe(4);
  });

  it('while a probe is in flight, other requests skip the provider', async () => {
    const orch = orchestrator(env);
    await tripOpenAi(orch);
    await cooledDown();
    openai.setDefault({ kind: 'text', delayMs: 150 });
    const [probe, other] = await Promise.all([complete(orch), new Promise((r) => setTimeout(r, 30)).then(() => complete(orch))]);
    expect(probe.result.provider).toBe('openai');
    expect(other.result.provider).toBe('anthropic');
    expect(openai.calls).toBe(4);
  });
});

describe('credentials', () => {
  it('a key that got 429 is skipped in favour of the next key for the cooldown', async () => {
    const orch = orchestrator({ OPENAI_API_KEY: 'key-1,key-2', AI_KEY_COOLDOWN_MS: '60000' });
    openai.script({ kind: 'error', status: 429 });
    const started = Date.now();
    expect((await complete(orch)).result.provider).toBe('openai');
    expect(Date.now() - started).toBeLessThan(1000);
    await complete(orch);
    await complete(orch);
    expect(openai.requests.map((r) => r.apiKey)).toEqual(['key-1', 'key-2', 'key-2', 'key-2']);
  });

  it('a long retry-after on one key does not stop the next key from answering at once', async () => {
    const orch = orchestrator({ OPENAI_API_KEY: 'key-1,key-2', AI_RETRY_AFTER_MAX_MS: '1000' });
    openai.script({ kind: 'error', status: 429, retryAfter: 30 });
    const started = Date.now();
    expect((await complete(orch)).result.provider).toBe('openai');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(openai.requests.map((r) => r.apiKey)).toEqual(['key-1', 'key-2']);
  });

  it('keys rotate when none is rate limited', async () => {
    const orch = orchestrator({ OPENAI_API_KEY: 'key-1,key-2' });
    await complete(orch);
    await complete(orch);
    await complete(orch);
    expect(openai.requests.map((r) => r.apiKey)).toEqual(['key-1', 'key-2', 'key-1']);
  });

  it('when every key is cooling down the provider is skipped without a call', async () => {
    const orch = orchestrator({ AI_MAX_RETRIES: '0', AI_KEY_COOLDOWN_MS: '60000' });
    openai.script({ kind: 'error', status: 429 });
    expect((await complete(orch)).result.provider).toBe('anthropic');
    expect((await complete(orch)).result.provider).toBe('anthropic');
    expect(openai.calls).toBe(1);
  });
});
