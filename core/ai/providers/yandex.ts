import type { ProviderSettings } from '../config.js';
import { ProviderError } from '../errors.js';
import { ndjson } from '../ndjson.js';
import { errorFromStatus, retryAfterMs, toProviderError } from '../provider-errors.js';
import type { AiProvider, CompletionRequest, StreamEvent } from '../types.js';

interface YandexLine {
  result?: {
    alternatives?: { message?: { text?: string }; status?: string }[];
    usage?: { inputTextTokens?: string | number; completionTokens?: string | number };
  };
  error?: { httpCode?: number; message?: string };
}

/** YandexGPT native API: every stream line carries the whole text so far, so deltas are computed here. */
export function createYandexProvider(
  settings: ProviderSettings & { folderId: string | undefined },
  defaultMaxTokens: number,
): AiProvider {
  const endpoint = `${settings.baseUrl}/foundationModels/v1/completion`;
  const modelUri = `gpt://${settings.folderId ?? ''}/${settings.model}`;

  return {
    name: 'yandex',
    model: settings.model,
    async *stream(req: CompletionRequest, credential: string): AsyncIterable<StreamEvent> {
      let sent = '';
      let usage: StreamEvent | undefined;
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          signal: req.signal,
          headers: {
            Authorization: `Api-Key ${credential}`,
            'Content-Type': 'application/json',
            'x-folder-id': settings.folderId ?? '',
            // Opt out of Yandex keeping prompts and answers for training.
            'x-data-logging-enabled': 'false',
          },
          body: JSON.stringify({
            modelUri,
            completionOptions: {
              stream: true,
              maxTokens: String(req.maxTokens ?? defaultMaxTokens),
              ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
            },
            messages: req.messages.map((m) => ({ role: m.role, text: m.content })),
          }),
        });
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          throw errorFromStatus(res.status, `Yandex answered ${res.status}`, retryAfterMs(res.headers));
        }
        for await (const raw of ndjson(res.body as unknown as AsyncIterable<Uint8Array>)) {
          const line = raw as YandexLine;
          if (line.error) {
            throw errorFromStatus(line.error.httpCode ?? 500, `Yandex stream error: ${line.error.message ?? ''}`);
          }
          const text = line.result?.alternatives?.[0]?.message?.text ?? '';
          if (text.length > sent.length) {
            if (!text.startsWith(sent)) {
              throw new ProviderError('Yandex rewrote already streamed text', { code: 'upstream_error', retryable: true });
            }
            yield { type: 'delta', text: text.slice(sent.length) };
            sent = text;
          }
          const u = line.result?.usage;
          if (u) {
            usage = { type: 'usage', inputTokens: Number(u.inputTextTokens ?? 0), outputTokens: Number(u.completionTokens ?? 0) };
          }
        }
      } catch (err) {
        if (err instanceof SyntaxError) {
          throw new ProviderError('Yandex sent malformed JSON', { code: 'upstream_error', retryable: true, cause: err });
        }
        throw toProviderError(err, req.signal);
      }
      if (usage) yield usage;
    },
  };
}
