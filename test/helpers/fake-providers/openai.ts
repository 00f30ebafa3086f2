import type { ServerResponse } from 'node:http';
import { dropConnection, fakeEmbedding, pause, startFakeServer, type FakeProvider, type FakeProviderOptions, type Protocol, type RecordedRequest } from './fake-server.js';

const ERROR_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'invalid_request_error', 429: 'rate_limit_exceeded' };

/** OpenAI chat completions: SSE `data: {chunk}` lines, a usage-only chunk when asked, then `data: [DONE]`. */
const protocol: Protocol = {
  route: (method, path) => method === 'POST' && path.endsWith('/chat/completions'),
  apiKey: (headers) => headers.authorization?.replace(/^Bearer\s+/i, ''),
  isStream: (body) => (body as { stream?: boolean } | undefined)?.stream === true,

  writeError(res: ServerResponse, status: number, retryAfter?: number) {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    });
    res.end(JSON.stringify({ error: { message: `fake error ${status}`, type: ERROR_TYPES[status] ?? 'server_error', param: null, code: null } }));
  },

  async writeStream(res, plan, req) {
    const body = req.body as { model?: string; stream_options?: { include_usage?: boolean } };
    const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model ?? 'gpt-4o-mini', system_fingerprint: 'fp_fake' };
    const includeUsage = body.stream_options?.include_usage === true;
    const send = (chunk: object) => res.write(`data: ${JSON.stringify({ ...base, ...chunk })}\n\n`);
    const choice = (delta: object, finish: string | null) => ({ choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    send(choice({ role: 'assistant', content: '', refusal: null }, null));
    for (const [i, piece] of plan.pieces.entries()) {
      if (plan.breakAfter !== undefined && i >= plan.breakAfter) return dropConnection(res);
      if (plan.delayMs) await pause(plan.delayMs);
      if (res.destroyed) return; // the client aborted: no more tokens are generated
      send(choice({ content: piece }, null));
      plan.onPiece();
    }
    send(choice({}, 'stop'));
    if (includeUsage) {
      const { input, output } = plan.usage;
      send({ choices: [], usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output } });
    }
    res.end('data: [DONE]\n\n');
  },

  embeddings: { route: (method, path) => method === 'POST' && path.endsWith('/embeddings'), write: writeEmbeddings },

  writeJson(res, plan, req) {
    const { input, output } = plan.usage;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: (req.body as { model?: string }).model ?? 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: plan.text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
      }),
    );
  },
};

/** `POST /v1/embeddings` in the real wire format; base64 float32 when asked (the SDK's default). */
function writeEmbeddings(res: ServerResponse, req: RecordedRequest): void {
  const body = req.body as { input?: string | string[]; model?: string; dimensions?: number; encoding_format?: string };
  const inputs = typeof body.input === 'string' ? [body.input] : (body.input ?? []);
  const data = inputs.map((text, index) => {
    const vector = fakeEmbedding(text, body.dimensions ?? 1536);
    const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({ object: 'list', data, model: body.model ?? 'text-embedding-3-small', usage: { prompt_tokens: tokens, total_tokens: tokens } }),
  );
}

/** Starts a fake OpenAI(-compatible) server; its `url` ends in `/v1`, ready for OPENAI_BASE_URL. */
export function startFakeOpenAI(opts: FakeProviderOptions = {}): Promise<FakeProvider> {
  return startFakeServer(protocol, opts, '/v1');
}
