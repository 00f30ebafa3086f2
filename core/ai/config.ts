import { z } from 'zod';
import { PROVIDER_NAMES, type ProviderName } from './types.js';

const KEYED_ORDER = ['openai', 'anthropic', 'yandex'] as const;

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** Comma-separated list of API keys: several credentials for one provider rotate. */
const keyList = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((k) => k.trim()).filter(Boolean));

const url = (fallback: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : fallback))
    .pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }))
    .transform((v) => v.replace(/\/+$/, ''));

const int = (fallback: number, min: number) => {
  const message = `must be an integer >= ${min}`;
  return z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? Number(v) : fallback))
    .pipe(z.number({ message }).int({ message }).min(min, { message }));
};

const providerList = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((p) => p.trim().toLowerCase()).filter(Boolean))
  .pipe(z.array(z.enum(PROVIDER_NAMES, { message: `must list only: ${PROVIDER_NAMES.join(', ')}` })));

/** The AI settings as environment variables; keys are the variable names, so errors name them. */
export const aiEnvShape = {
  AI_PROVIDERS: providerList,
  OPENAI_API_KEY: keyList,
  OPENAI_BASE_URL: url('https://api.openai.com/v1'),
  OPENAI_MODEL: optionalString.transform((v) => v ?? 'gpt-4o-mini'),
  ANTHROPIC_API_KEY: keyList,
  ANTHROPIC_BASE_URL: url('https://api.anthropic.com'),
  ANTHROPIC_MODEL: optionalString.transform((v) => v ?? 'claude-sonnet-4-6'),
  YANDEX_API_KEY: keyList,
  YANDEX_FOLDER_ID: optionalString,
  YANDEX_BASE_URL: url('https://llm.api.cloud.yandex.net'),
  YANDEX_MODEL: optionalString.transform((v) => v ?? 'yandexgpt/latest'),
  AI_MAX_TOKENS: int(1500, 1),
  AI_TIMEOUT_MS: int(30_000, 1),
  AI_IDLE_TIMEOUT_MS: int(30_000, 1),
  AI_MAX_RETRIES: int(2, 0),
  AI_RETRY_BASE_MS: int(250, 0),
  AI_RETRY_AFTER_MAX_MS: int(5_000, 0),
  AI_CIRCUIT_FAILURES: int(5, 1),
  AI_CIRCUIT_COOLDOWN_MS: int(30_000, 1),
  AI_KEY_COOLDOWN_MS: int(60_000, 0),
};

type AiEnv = z.output<z.ZodObject<typeof aiEnvShape>>;

export interface ProviderSettings {
  apiKeys: string[];
  baseUrl: string;
  model: string;
}

export interface AiConfig {
  /** Routing order; only providers that can actually be called (keys present). `offline` only when named or when nothing else is. */
  providers: ProviderName[];
  openai: ProviderSettings;
  anthropic: ProviderSettings;
  yandex: ProviderSettings & { folderId: string | undefined };
  maxTokens: number;
  /** Time allowed before the first token, and between two chunks afterwards. */
  timeouts: { firstTokenMs: number; idleMs: number };
  retry: { maxRetries: number; baseDelayMs: number; maxRetryAfterMs: number };
  circuit: { failureThreshold: number; cooldownMs: number };
  keyCooldownMs: number;
}

function toAiConfig(env: AiEnv, ctx: z.RefinementCtx): AiConfig {
  if (env.YANDEX_API_KEY.length > 0 && !env.YANDEX_FOLDER_ID) {
    ctx.addIssue({ code: 'custom', path: ['YANDEX_FOLDER_ID'], message: 'is required when YANDEX_API_KEY is set' });
  }
  const keys: Record<ProviderName, string[]> = {
    openai: env.OPENAI_API_KEY,
    anthropic: env.ANTHROPIC_API_KEY,
    yandex: env.YANDEX_API_KEY,
    offline: ['offline'],
  };
  // Only providers that have keys. The canned offline provider stands in only where it was
  // asked for (named in AI_PROVIDERS) or when no provider has a key: "no key = offline".
  const wanted = env.AI_PROVIDERS.length > 0 ? env.AI_PROVIDERS : KEYED_ORDER;
  const usable = [...new Set(wanted)].filter((p) => keys[p].length > 0);
  return {
    providers: usable.length > 0 ? usable : ['offline'],
    openai: { apiKeys: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL },
    anthropic: { apiKeys: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL, model: env.ANTHROPIC_MODEL },
    yandex: {
      apiKeys: env.YANDEX_API_KEY,
      baseUrl: env.YANDEX_BASE_URL,
      model: env.YANDEX_MODEL,
      folderId: env.YANDEX_FOLDER_ID,
    },
    maxTokens: env.AI_MAX_TOKENS,
    timeouts: { firstTokenMs: env.AI_TIMEOUT_MS, idleMs: env.AI_IDLE_TIMEOUT_MS },
    retry: {
      maxRetries: env.AI_MAX_RETRIES,
      baseDelayMs: env.AI_RETRY_BASE_MS,
      maxRetryAfterMs: env.AI_RETRY_AFTER_MAX_MS,
    },
    circuit: { failureThreshold: env.AI_CIRCUIT_FAILURES, cooldownMs: env.AI_CIRCUIT_COOLDOWN_MS },
    keyCooldownMs: env.AI_KEY_COOLDOWN_MS,
  };
}

/** Parses the AI environment variables into an AiConfig (see `aiEnvShape` for the variables). */
export const aiConfigSchema = z.object(aiEnvShape).transform(toAiConfig);

/** Reads the AI settings from the environment; throws an Error naming every bad variable. */
export function aiConfigFromEnv(env: NodeJS.ProcessEnv): AiConfig {
  const parsed = aiConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0] ?? 'AI config')}: ${i.message}`);
    throw new Error(`Invalid AI configuration: ${lines.join('; ')}`);
  }
  return parsed.data;
}
