export { ProviderError, AllProvidersFailedError } from './errors.js';
export type { ProviderErrorCode, ProviderFailure } from './errors.js';

export type ProviderName = 'openai' | 'anthropic' | 'yandex' | 'offline';
export const PROVIDER_NAMES = ['openai', 'anthropic', 'yandex', 'offline'] as const satisfies readonly ProviderName[];
/** Providers whose processing stays in Russia: YandexGPT, and the built-in offline one. */
export const DOMESTIC_PROVIDERS: ReadonlySet<ProviderName> = new Set(['yandex', 'offline']);

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** Only providers hosted in Russia (DOMESTIC_PROVIDERS): the user withdrew consent to providers abroad. */
  domesticOnly?: boolean;
  /** The numbered passages the system prompt gives the model (the offline provider quotes them). */
  passages?: Array<{ n: number; label: string; text: string }>;
}

export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'usage'; inputTokens: number; outputTokens: number };

export interface AiProvider {
  name: ProviderName;
  model: string;
  /** Streams one completion. `credential` is the API key to use (ignored by `offline`). Throws ProviderError. */
  stream(req: CompletionRequest, credential: string): AsyncIterable<StreamEvent>;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

export interface CompletionResult {
  text: string;
  provider: ProviderName;
  model: string;
  usage: Usage;
  /** The offline provider stood in for providers that failed: not a real answer. */
  degraded?: boolean;
}

export interface CompletionHooks {
  /**
   * Called once, when the chosen provider produced its first token; `standIn.degraded` when
   * the offline provider stands in for providers that failed (as CompletionResult.degraded).
   */
  onStart?(provider: ProviderName, model: string, standIn?: { degraded: true }): void;
  onDelta?(text: string): void;
}
