import { describe, expect, it } from 'vitest';
import { aiConfigFromEnv } from '../../../core/ai/config.js';

describe('aiConfigFromEnv', () => {
  it('without any key routes everything to the offline provider', () => {
    const cfg = aiConfigFromEnv({});
    expect(cfg.providers).toEqual(['offline']);
    expect(cfg.circuit).toEqual({ failureThreshold: 5, cooldownMs: 30_000 });
    expect(cfg.yandex.model).toBe('yandexgpt/latest');
    expect(cfg.openai.model).toBe('gpt-4o-mini');
  });

  it('by default orders the keyed providers openai, anthropic, yandex, without the canned offline answer', () => {
    const cfg = aiConfigFromEnv({ YANDEX_API_KEY: 'y', YANDEX_FOLDER_ID: 'f', OPENAI_API_KEY: 'o', ANTHROPIC_API_KEY: 'a' });
    expect(cfg.providers).toEqual(['openai', 'anthropic', 'yandex']);
    expect(aiConfigFromEnv({ YANDEX_API_KEY: 'y', YANDEX_FOLDER_ID: 'f' }).providers).toEqual(['yandex']);
  });

  it('uses the offline provider as a stand-in only where AI_PROVIDERS names it', () => {
    expect(aiConfigFromEnv({ AI_PROVIDERS: 'openai,offline', OPENAI_API_KEY: 'o' }).providers).toEqual(['openai', 'offline']);
    expect(aiConfigFromEnv({ AI_PROVIDERS: 'openai', OPENAI_API_KEY: 'o' }).providers).toEqual(['openai']);
    // Named providers without keys leave nothing to call: offline answers, as with no keys at all.
    expect(aiConfigFromEnv({ AI_PROVIDERS: 'anthropic' }).providers).toEqual(['offline']);
  });

  it('follows AI_PROVIDERS, dropping providers that have no key', () => {
    const cfg = aiConfigFromEnv({ AI_PROVIDERS: 'anthropic, yandex ,openai', OPENAI_API_KEY: 'o', ANTHROPIC_API_KEY: 'a' });
    expect(cfg.providers).toEqual(['anthropic', 'openai']);
  });

  it('accepts several comma-separated keys and trims base URLs', () => {
    const cfg = aiConfigFromEnv({ OPENAI_API_KEY: 'k1, k2,,k3', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1/' });
    expect(cfg.openai.apiKeys).toEqual(['k1', 'k2', 'k3']);
    expect(cfg.openai.baseUrl).toBe('http://127.0.0.1:9/v1');
  });

  it.each([
    [{ AI_PROVIDERS: 'openai,gigachat' }, 'AI_PROVIDERS'],
    [{ AI_TIMEOUT_MS: 'soon' }, 'AI_TIMEOUT_MS'],
    [{ AI_MAX_RETRIES: '-1' }, 'AI_MAX_RETRIES'],
    [{ AI_CIRCUIT_FAILURES: '0' }, 'AI_CIRCUIT_FAILURES'],
    [{ OPENAI_BASE_URL: 'ftp://x' }, 'OPENAI_BASE_URL'],
    [{ YANDEX_API_KEY: 'y' }, 'YANDEX_FOLDER_ID'],
  ])('names the bad variable in %o', (env, variable) => {
    expect(() => aiConfigFromEnv(env)).toThrow(new RegExp(`${variable}: `));
  });
});
