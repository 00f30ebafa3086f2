import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { aiConfigFromEnv } from '../../../core/ai/config.js';
import { ProviderError } from '../../../core/ai/errors.js';
import { createOrchestrator } from '../../../core/ai/orchestrator.js';
import { createOfflineProvider } from '../../../core/ai/providers/offline.js';
import type { AiProvider, StreamEvent } from '../../../core/ai/types.js';

const logger = pino({ level: 'silent' });
const cfg = aiConfigFromEnv({
  OPENAI_API_KEY: 'k',
  AI_TIMEOUT_MS: '100',
  AI_IDLE_TIMEOUT_MS: '100',
  AI_MAX_RETRIES: '0',
});
const req = { messages: [{ role: 'user' as const, content: 'Вопрос' }] };

/** A stub "openai" whose stream is given by the test; counts calls. */
function stub(stream: (signal: AbortSignal | undefined) => AsyncIterable<StreamEvent>) {
  const provider: AiProvider & { calls: number } = {
    name: 'openai',
    model: 'stub',
    calls: 0,
    stream(r) {
      provider.calls++;
      return stream(r.signal);
    },
  };
  return provider;
}

const never = () => new Promise<never>(() => undefined);

/** A stream whose first read waits for `first` (which never resolves with a value). */
const noTokens = (first: () => Promise<never>): AsyncIterable<StreamEvent> => ({
  [Symbol.asyncIterator]: () => ({ next: first }),
});

describe('orchestrator (stub providers)', () => {
  it('times out a provider that never sends a token, even one that ignores its signal, and fails over', async () => {
    const silent = stub(() => noTokens(never));
    const orch = createOrchestrator(cfg, logger, { providers: [silent, createOfflineProvider()] });
    const started = Date.now();
    const result = await orch.complete(req);
    expect(result).toMatchObject({ provider: 'offline', degraded: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a stall after the first token is a mid-stream timeout: no failover, no splicing', async () => {
    const stalls = stub(async function* () {
      yield { type: 'delta', text: 'Начало ' };
      await never();
    });
    const offline = createOfflineProvider();
    const deltas: string[] = [];
    const orch = createOrchestrator(cfg, logger, { providers: [stalls, offline] });
    const err = await orch.complete(req, { onDelta: (t) => deltas.push(t) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'timeout', midStream: true, provider: 'openai', retryable: true });
    expect(deltas).toEqual(['Начало ']);
  });

  it("the caller's cancellation stops at once, without trying the next provider", async () => {
    const slow = stub((signal) =>
      noTokens(() => new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))))),
    );
    const controller = new AbortController();
    const orch = createOrchestrator(cfg, logger, { providers: [slow, createOfflineProvider()] });
    setTimeout(() => controller.abort(), 20);
    await expect(orch.complete({ ...req, signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
  });

  it("an exception from the caller's hook propagates unchanged and is not blamed on the provider", async () => {
    const boom = new Error('socket gone');
    const orch = createOrchestrator(cfg, logger, { providers: [createOfflineProvider()] });
    await expect(
      orch.complete(req, {
        onDelta: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
  });

  it('an empty answer counts as a failure and fails over', async () => {
    const empty = stub(async function* () {
      yield { type: 'usage', inputTokens: 1, outputTokens: 0 };
    });
    const orch = createOrchestrator(cfg, logger, { providers: [empty, createOfflineProvider()] });
    expect((await orch.complete(req)).provider).toBe('offline');
    expect(empty.calls).toBe(1);
  });

  it('onStart is called once, with the provider that produced the first token', async () => {
    const starts: string[] = [];
    const orch = createOrchestrator(cfg, logger, { providers: [createOfflineProvider()] });
    const result = await orch.complete(req, { onStart: (p, m) => starts.push(`${p}/${m}`) });
    expect(starts).toEqual(['offline/offline-legal-v1']);
    // Offline as the only provider (no keys) is the configured answer, not a stand-in.
    expect(result.degraded).toBeUndefined();
  });

  it('onStart says so when the offline provider stands in for failed ones, from its first token', async () => {
    const starts: unknown[][] = [];
    const failing = stub(async function* () {
      yield* [];
      throw new ProviderError('down', { code: 'upstream_error', status: 500, retryable: true });
    });
    const orch = createOrchestrator(cfg, logger, { providers: [failing, createOfflineProvider()] });
    await orch.complete(req, { onStart: (...args) => starts.push(args) });
    expect(starts).toEqual([['offline', 'offline-legal-v1', { degraded: true }]]);
  });
});
