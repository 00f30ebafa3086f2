import type { ServerResponse } from 'node:http';
import { pause, startFakeServer, type FakeProvider, type FakeProviderOptions, type Protocol } from './fake-server.js';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const errorBody = (status: number) =>
  JSON.stringify({ type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message: status === 529 ? 'Overloaded' : `fake error ${status}` } });

/**
 * Anthropic Messages streaming: message_start, content_block_start, ping, content_block_delta
 * (text_delta)..., content_block_stop, message_delta (cumulative usage), message_stop.
 */
const protocol: Protocol = {
  route: (method, path) => method === 'POST' && path === '/v1/messages',
  // Older SDKs send x-api-key, newer ones a bearer token; the real API takes both.
  apiKey: (headers) =>
    typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : headers.authorization?.replace(/^Bearer\s+/i, ''),
  isStream: (body) => (body as { stream?: boolean } | undefined)?.stream === true,

  writeError(res: ServerResponse, status: number, retryAfter?: number) {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    });
    res.end(errorBody(status));
  },

  async writeStream(res, plan, req) {
    const model = (req.body as { model?: string }).model ?? 'claude-sonnet-4-6';
    const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    const usage = (output: number) => ({ input_tokens: plan.usage.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output });

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    send('message_start', {
      message: { id: 'msg_fake', type: 'message', role: 'assistant', content: [], model, stop_reason: null, stop_sequence: null, usage: usage(1) },
    });
    send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    send('ping', {});
    for (const [i, piece] of plan.pieces.entries()) {
      if (plan.breakAfter !== undefined && i >= plan.breakAfter) {
        res.end(`event: error\ndata: ${errorBody(529)}\n\n`);
        return;
      }
      if (plan.delayMs) await pause(plan.delayMs);
      send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
      plan.onPiece();
    }
    send('content_block_stop', { index: 0 });
    send('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: plan.usage.output } });
    send('message_stop', {});
    res.end();
  },

  writeJson(res, plan, req) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: (req.body as { model?: string }).model ?? 'claude-sonnet-4-6',
        content: [{ type: 'text', text: plan.text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: plan.usage.input, output_tokens: plan.usage.output },
      }),
    );
  },
};

/** Starts a fake Anthropic server; its `url` is ready for ANTHROPIC_BASE_URL. Status 529 = overloaded_error. */
export function startFakeAnthropic(opts: FakeProviderOptions = {}): Promise<FakeProvider> {
  return startFakeServer(protocol, opts);
}
