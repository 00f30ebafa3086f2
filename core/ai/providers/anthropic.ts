import Anthropic from '@anthropic-ai/sdk';
import type { ProviderSettings } from '../config.js';
import { toProviderError } from '../provider-errors.js';
import type { AiProvider, CompletionRequest, StreamEvent } from '../types.js';

/** Anthropic Messages streaming: text from content_block_delta, cumulative usage from message_delta. */
export function createAnthropicProvider(settings: ProviderSettings, defaultMaxTokens: number): AiProvider {
  const clients = new Map<string, Anthropic>();
  const clientFor = (apiKey: string): Anthropic => {
    let client = clients.get(apiKey);
    if (!client) {
      client = new Anthropic({ apiKey, baseURL: settings.baseUrl, maxRetries: 0 });
      clients.set(apiKey, client);
    }
    return client;
  };

  return {
    name: 'anthropic',
    model: settings.model,
    async *stream(req: CompletionRequest, credential: string): AsyncIterable<StreamEvent> {
      // Anthropic takes system instructions as a parameter, not as a message.
      const system = req.messages
        .filter((m) => m.role === 'system')
        .map((m) => m.content)
        .join('\n\n');
      const turns = req.messages
        .filter((m) => m.role !== 'system')
        .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
      let inputTokens = 0;
      let outputTokens = 0;
      try {
        const stream = await clientFor(credential).messages.create(
          {
            model: settings.model,
            max_tokens: req.maxTokens ?? defaultMaxTokens,
            ...(system ? { system } : {}),
            ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
            messages: turns,
            stream: true,
          },
          { signal: req.signal },
        );
        for await (const event of stream) {
          if (event.type === 'message_start') {
            inputTokens = event.message.usage.input_tokens;
            outputTokens = event.message.usage.output_tokens;
          } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
            if (event.delta.text) yield { type: 'delta', text: event.delta.text };
          } else if (event.type === 'message_delta') {
            // Usage in message_delta is cumulative, so the last one wins.
            outputTokens = event.usage.output_tokens;
            if (event.usage.input_tokens != null) inputTokens = event.usage.input_tokens;
          }
        }
      } catch (err) {
        throw toProviderError(err, req.signal);
      }
      yield { type: 'usage', inputTokens, outputTokens };
    },
  };
}
