import OpenAI from 'openai';
import type { ProviderSettings } from '../config.js';
import { toProviderError } from '../provider-errors.js';
import type { AiProvider, CompletionRequest, StreamEvent } from '../types.js';

/** OpenAI chat completions streaming; also serves any OpenAI-compatible endpoint via baseUrl. */
export function createOpenAiProvider(settings: ProviderSettings, defaultMaxTokens: number): AiProvider {
  const clients = new Map<string, OpenAI>();
  const clientFor = (apiKey: string): OpenAI => {
    let client = clients.get(apiKey);
    if (!client) {
      // Retries and timeouts belong to the orchestrator, which can fail over; the SDK must not hide them.
      client = new OpenAI({ apiKey, baseURL: settings.baseUrl, maxRetries: 0 });
      clients.set(apiKey, client);
    }
    return client;
  };

  return {
    name: 'openai',
    model: settings.model,
    async *stream(req: CompletionRequest, credential: string): AsyncIterable<StreamEvent> {
      try {
        const stream = await clientFor(credential).chat.completions.create(
          {
            model: settings.model,
            messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
            max_tokens: req.maxTokens ?? defaultMaxTokens,
            ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: req.signal },
        );
        for await (const chunk of stream) {
          const text = chunk.choices[0]?.delta?.content;
          if (text) yield { type: 'delta', text };
          if (chunk.usage) {
            yield {
              type: 'usage',
              inputTokens: chunk.usage.prompt_tokens,
              outputTokens: chunk.usage.completion_tokens,
            };
          }
        }
      } catch (err) {
        throw toProviderError(err, req.signal);
      }
    },
  };
}
