import { ProviderError } from './errors.js';
import { toProviderError } from './provider-errors.js';
import type { AiProvider, CompletionHooks, CompletionRequest, StreamEvent } from './types.js';

export interface AttemptOptions {
  firstTokenMs: number;
  idleMs: number;
}

export interface AttemptResult {
  text: string;
  usage: { inputTokens: number; outputTokens: number } | undefined;
  firstTokenMs: number;
}

/** Thrown by runAttempt when it failed; `started` says whether text already reached the caller. */
export class AttemptError extends Error {
  constructor(
    readonly error: ProviderError,
    readonly started: boolean,
  ) {
    super(error.message);
  }
}

/** An exception from the caller's own hooks: not the provider's fault, passed through untouched. */
class HookError {
  constructor(readonly cause: unknown) {}
}

function timeoutError(what: string, ms: number): ProviderError {
  return new ProviderError(`No ${what} within ${ms} ms`, { code: 'timeout', retryable: true });
}

/**
 * Runs one streamed call of one provider with one key. Timeouts and the caller's cancellation
 * abort the call's own signal; the pending read is raced against it, so even a provider that
 * ignores its signal cannot hang us.
 */
export async function runAttempt(
  provider: AiProvider,
  credential: string,
  req: CompletionRequest,
  hooks: CompletionHooks,
  opts: AttemptOptions,
): Promise<AttemptResult> {
  const controller = new AbortController();
  const cancel = () =>
    controller.abort(new ProviderError('Request was cancelled', { code: 'aborted', retryable: false }));
  if (req.signal?.aborted) cancel();
  req.signal?.addEventListener('abort', cancel, { once: true });
  // Each read is raced against the call's signal through this one listener, which rejects the
  // read pending then: a Promise.race with a promise of the whole call would leave a reaction
  // on it for every delta, held until the answer ends.
  let rejectRead: ((err: unknown) => void) | undefined;
  controller.signal.addEventListener('abort', () => rejectRead?.(toProviderError(undefined, controller.signal)), { once: true });

  const startedAt = Date.now();
  let timer = setTimeout(() => controller.abort(timeoutError('first token', opts.firstTokenMs)), opts.firstTokenMs);
  const iterator = provider.stream({ ...req, signal: controller.signal }, credential)[Symbol.asyncIterator]();
  const read = (): Promise<IteratorResult<StreamEvent>> =>
    controller.signal.aborted
      ? Promise.reject(toProviderError(undefined, controller.signal))
      : new Promise((resolve, reject) => {
          rejectRead = reject;
          iterator.next().then(resolve, reject);
        });
  let text = '';
  let usage: AttemptResult['usage'];
  let firstTokenMs = 0;
  let started = false;
  let done = false;
  try {
    for (;;) {
      const next = await read();
      if (next.done) break;
      const event = next.value;
      if (event.type === 'usage') {
        usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens };
        continue;
      }
      if (!event.text) continue;
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(timeoutError('data', opts.idleMs)), opts.idleMs);
      try {
        if (!started) {
          started = true;
          firstTokenMs = Date.now() - startedAt;
          hooks.onStart?.(provider.name, provider.model);
        }
        text += event.text;
        hooks.onDelta?.(event.text);
      } catch (err) {
        throw new HookError(err);
      }
    }
    done = true;
    if (!started) throw new ProviderError('Provider returned an empty answer', { code: 'upstream_error', retryable: true });
    return { text, usage, firstTokenMs };
  } catch (err) {
    if (err instanceof HookError) throw err.cause;
    throw new AttemptError(toProviderError(err, controller.signal).with({ provider: provider.name, midStream: started }), started);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', cancel);
    if (!done) {
      // Free the connection; the generator's own cleanup runs once its pending read settles.
      controller.abort(new ProviderError('Attempt abandoned', { code: 'aborted', retryable: false }));
      void iterator.return?.()?.catch(() => undefined);
    }
  }
}
