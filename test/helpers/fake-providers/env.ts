import type { FakeProvider } from './fake-server.js';

export interface FakeSet {
  openai?: FakeProvider;
  anthropic?: FakeProvider;
  yandex?: FakeProvider;
}

/**
 * Environment variables that point a spawned API/worker process at fakes running in the test
 * process. `order` becomes AI_PROVIDERS (default: the given fakes, openai, anthropic, yandex).
 */
export function fakeProviderEnv(fakes: FakeSet, order?: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  if (fakes.openai) Object.assign(env, { OPENAI_API_KEY: 'sk-fake-openai', OPENAI_BASE_URL: fakes.openai.url });
  if (fakes.anthropic) Object.assign(env, { ANTHROPIC_API_KEY: 'sk-ant-fake', ANTHROPIC_BASE_URL: fakes.anthropic.url });
  if (fakes.yandex) {
    Object.assign(env, { YANDEX_API_KEY: 'ya-fake', YANDEX_FOLDER_ID: 'b1gfakefolder', YANDEX_BASE_URL: fakes.yandex.url });
  }
  env.AI_PROVIDERS = (order ?? (['openai', 'anthropic', 'yandex'] as const).filter((p) => fakes[p])).join(',');
  return env;
}
