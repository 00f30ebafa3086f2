import type { Logger } from 'pino';
import { AttemptError, runAttempt } from './attempt.js';
import { backoffDelay, sleep } from './backoff.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { AiConfig } from './config.js';
import { CredentialPool } from './credential-pool.js';
import { AllProvidersFailedError, type ProviderError, type ProviderFailure } from './errors.js';
import { createProviders } from './registry.js';
import { aiDuration, aiErrors, aiTimeToFirstToken, aiTokens } from '../telemetry/metrics.js';
import { inSpan, SpanKind } from '../telemetry/tracing.js';
import { createOfflineProvider } from './providers/offline.js';
import { estimateUsage } from './usage.js';
import { DOMESTIC_PROVIDERS, type AiProvider, type CompletionHooks, type CompletionRequest, type CompletionResult, type ProviderName } from './types.js';

export interface Orchestrator {
  /**
   * Streams one answer. Fails over between providers only before the first token; after it,
   * a failure throws a ProviderError with `midStream: true` (the caller restarts from scratch).
   * Throws ProviderError `bad_request` without failover, AllProvidersFailedError when nobody answered.
   */
  complete(req: CompletionRequest, hooks?: CompletionHooks): Promise<CompletionResult>;
  /** Provider names in routing order. */
  providers(): ProviderName[];
  /** Circuit state per provider, for health output. */
  circuits(): Record<string, string>;
}

export interface OrchestratorOptions {
  /** Replaces the providers built from cfg (tests). Keys still come from cfg. */
  providers?: AiProvider[];
  now?: () => number;
}

interface Route {
  provider: AiProvider;
  keys: CredentialPool;
  breaker: CircuitBreaker;
}

export function createOrchestrator(cfg: AiConfig, logger: Logger, options: OrchestratorOptions = {}): Orchestrator {
  const now = options.now ?? Date.now;
  const routes: Route[] = (options.providers ?? createProviders(cfg)).map((provider) => ({
    provider,
    keys: new CredentialPool(provider.name === 'offline' ? ['offline'] : cfg[provider.name].apiKeys, cfg.keyCooldownMs, now),
    breaker: new CircuitBreaker(cfg.circuit, now),
  }));
  const log = logger.child({ component: 'ai' });
  // For a user who allows only domestic providers when none is configured: the offline one.
  let offlineRoute: Route | undefined;
  const domesticRoutes = (): Route[] => {
    const domestic = routes.filter((r) => DOMESTIC_PROVIDERS.has(r.provider.name));
    if (domestic.length) return domestic;
    offlineRoute ??= { provider: createOfflineProvider(), keys: new CredentialPool(['offline'], cfg.keyCooldownMs, now), breaker: new CircuitBreaker(cfg.circuit, now) };
    return [offlineRoute];
  };

  /** Tries one provider with retries; returns its result, or why it was given up on. */
  async function tryRoute(route: Route, req: CompletionRequest, hooks: CompletionHooks): Promise<CompletionResult | ProviderFailure> {
    const { provider, keys, breaker } = route;
    const name = provider.name;
    let key = keys.pick();
    if (key === undefined) return { provider: name, code: 'no_credential' };
    for (let attempt = 1; ; attempt++) {
      const permit = breaker.tryAcquire();
      if (!permit) return { provider: name, code: 'circuit_open' };
      const startedAt = now();
      try {
        const result = await tracedAttempt(provider, key, req, hooks);
        breaker.onSuccess(permit);
        keys.restore(key);
        log.info(
          { provider: name, model: provider.model, attempt, latency_ms: now() - startedAt, ttft_ms: result.firstTokenMs },
          'ai completion succeeded',
        );
        const estimate = estimateUsage(req.messages, result.text);
        const usage = {
          input_tokens: result.usage?.inputTokens ?? estimate.input_tokens,
          output_tokens: result.usage?.outputTokens ?? estimate.output_tokens,
        };
        const labels = { provider: name, model: provider.model };
        aiTimeToFirstToken.observe(labels, result.firstTokenMs / 1000);
        aiDuration.observe({ ...labels, outcome: 'ok' }, (now() - startedAt) / 1000);
        aiTokens.inc({ ...labels, direction: 'input' }, usage.input_tokens);
        aiTokens.inc({ ...labels, direction: 'output' }, usage.output_tokens);
        return { text: result.text, provider: name, model: provider.model, usage };
      } catch (thrown) {
        if (!(thrown instanceof AttemptError)) {
          breaker.release(permit);
          throw thrown; // the caller's hook failed
        }
        const err = thrown.error;
        aiErrors.inc({ provider: name, code: err.code });
        aiDuration.observe({ provider: name, model: provider.model, outcome: 'error' }, (now() - startedAt) / 1000);
        const fields = {
          provider: name,
          model: provider.model,
          attempt,
          latency_ms: now() - startedAt,
          code: err.code,
          status: err.status,
        };
        if (err.code === 'aborted' || err.code === 'bad_request') {
          breaker.release(permit);
          log.warn(fields, 'ai call ended without failover');
          throw err;
        }
        breaker.onFailure(permit);
        if (thrown.started) {
          log.warn(fields, 'ai stream failed after the first token');
          throw err;
        }
        if (err.code === 'rate_limited') keys.coolDown(key);
        // Another key can be tried at once, whatever the retry-after; the same key only after waiting.
        const other = err.code === 'rate_limited' && attempt <= cfg.retry.maxRetries ? keys.pick() : undefined;
        const delay = other !== undefined ? 0 : nextDelay(err, attempt);
        if (delay === undefined) {
          log.warn(fields, 'ai provider given up');
          return { provider: name, code: err.code, status: err.status };
        }
        log.warn({ ...fields, retry_in_ms: delay }, 'ai call failed, retrying');
        if (other !== undefined) key = other;
        else await sleep(delay, req.signal);
      }
    }
  }

  /** One provider call as a GenAI client span: model and token counts, never prompt text. */
  function tracedAttempt(provider: AiProvider, key: string, req: CompletionRequest, hooks: CompletionHooks) {
    const attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': provider.name, 'gen_ai.request.model': provider.model };
    return inSpan(`chat ${provider.model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const result = await runAttempt(provider, key, req, hooks, cfg.timeouts);
      if (result.usage) span.setAttributes({ 'gen_ai.usage.input_tokens': result.usage.inputTokens, 'gen_ai.usage.output_tokens': result.usage.outputTokens });
      return result;
    });
  }

  /** How long to wait before retrying the same provider, or undefined to move on. */
  function nextDelay(err: ProviderError, attempt: number): number | undefined {
    if (!err.retryable || attempt > cfg.retry.maxRetries) return undefined;
    if (err.retryAfterMs !== undefined) {
      // A long retry-after is better spent on the next provider.
      return err.retryAfterMs <= cfg.retry.maxRetryAfterMs ? err.retryAfterMs : undefined;
    }
    return backoffDelay(attempt, cfg.retry.baseDelayMs);
  }

  return {
    async complete(req, hooks = {}) {
      const failures: ProviderFailure[] = [];
      for (const route of req.domesticOnly ? domesticRoutes() : routes) {
        // The canned text stands in for providers that failed: say so (from its first token,
        // for an answer stopped midway), so that it is neither cached nor charged, and the
        // next question tries them again.
        const standsIn = route.provider.name === 'offline' && failures.length > 0;
        const outcome = await tryRoute(route, req, standsIn ? { ...hooks, onStart: (p, m) => hooks.onStart?.(p, m, { degraded: true }) } : hooks);
        if ('text' in outcome) {
          if (!standsIn) return outcome;
          log.warn({ failures }, 'the offline provider stood in for failed providers');
          return { ...outcome, degraded: true };
        }
        failures.push(outcome);
      }
      log.error({ failures }, 'no ai provider could answer');
      throw new AllProvidersFailedError(failures);
    },
    providers: () => routes.map((r) => r.provider.name),
    circuits: () => Object.fromEntries(routes.map((r) => [r.provider.name, r.breaker.state])),
  };
}
