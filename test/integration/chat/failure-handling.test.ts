/** How a failed attempt ends: what is retried, and that nothing published overtakes the failure. */
import { describe, expect, it } from 'vitest';
import type { ChatMessage, CompletionHooks, Orchestrator } from '../../../core/ai/index.js';
import { describeFailure } from '../../../core/chat/failures.js';
import type { ReplyPublisher } from '../../../core/chat/reply-stream.js';
import { completeStreaming } from '../../../core/chat/reply.js';
import { DlpError } from '../../../core/dlp/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('describeFailure', () => {
  it('retries a DLP timeout, but not a DLP failure', () => {
    expect(describeFailure(new DlpError('dlp_timeout', 'the scan ran past the budget'))).toMatchObject({ code: 'dlp_failed', retryable: true });
    expect(describeFailure(new DlpError('dlp_failed', 'detector failed'))).toMatchObject({ code: 'dlp_failed', retryable: false });
  });
});

describe('completeStreaming', () => {
  it('when the provider breaks off, every delta already sent is published before the error surfaces', async () => {
    const published: string[] = [];
    // A slow stream store: each publish takes a while, so they queue up behind the provider.
    const publisher = {
      attempt: 1,
      started: async () => { await sleep(20); published.push('started'); },
      delta: async (text: string) => { await sleep(20); published.push(text); },
    } as unknown as ReplyPublisher;
    const ai = {
      providers: () => ['openai'],
      async complete(_req: { messages: ChatMessage[] }, hooks?: CompletionHooks) {
        hooks?.onStart?.('openai', 'gpt');
        hooks?.onDelta?.('a');
        hooks?.onDelta?.('b');
        throw new Error('stream broke');
      },
    } as unknown as Orchestrator;
    await expect(completeStreaming(ai, { messages: [] }, publisher)).rejects.toThrow('stream broke');
    published.push('failed');
    expect(published).toEqual(['started', 'a', 'b', 'failed']);
  });
});
