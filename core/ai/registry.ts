import type { AiConfig } from './config.js';
import { createAnthropicProvider } from './providers/anthropic.js';
import { createOfflineProvider } from './providers/offline.js';
import { createOpenAiProvider } from './providers/openai.js';
import { createYandexProvider } from './providers/yandex.js';
import type { AiProvider, ProviderName } from './types.js';

/** Builds the providers of `cfg.providers`, in routing order. */
export function createProviders(cfg: AiConfig): AiProvider[] {
  const build: Record<ProviderName, () => AiProvider> = {
    openai: () => createOpenAiProvider(cfg.openai, cfg.maxTokens),
    anthropic: () => createAnthropicProvider(cfg.anthropic, cfg.maxTokens),
    yandex: () => createYandexProvider(cfg.yandex, cfg.maxTokens),
    offline: () => createOfflineProvider(),
  };
  return cfg.providers.map((name) => build[name]());
}
