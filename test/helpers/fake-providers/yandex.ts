import type { ServerResponse } from 'node:http';
import { dropConnection, fakeEmbedding, pause, startFakeServer, type FakeProvider, type FakeProviderOptions, type Protocol, type StreamPlan } from './fake-server.js';

const HTTP_STATUS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 429: 8, 500: 13, 503: 14 };

function resultLine(text: string, final: boolean, plan: StreamPlan, output: number): string {
  return `${JSON.stringify({
    result: {
      alternatives: [{ message: { role: 'assistant', text }, status: final ? 'ALTERNATIVE_STATUS_FINAL' : 'ALTERNATIVE_STATUS_PARTIAL' }],
      usage: { inputTextTokens: String(plan.usage.input), completionTokens: String(output), totalTokens: String(plan.usage.input + output) },
      modelVersion: '23.10.2024',
    },
  })}\n`;
}

/** YandexGPT `POST /foundationModels/v1/completion`: each NDJSON line carries the whole text so far. */
const protocol: Protocol = {
  route: (method, path) => method === 'POST' && path === '/foundationModels/v1/completion',
  apiKey: (headers) => headers.authorization?.replace(/^Api-Key\s+/i, ''),
  isStream: (body) => (body as { completionOptions?: { stream?: boolean } } | undefined)?.completionOptions?.stream === true,

  writeError(res: ServerResponse, status: number, retryAfter?: number) {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    });
    res.end(JSON.stringify({ error: { grpcCode: GRPC_CODE[status] ?? 13, httpCode: status, message: `fake error ${status}`, httpStatus: HTTP_STATUS[status] ?? 'Error', details: [] } }));
  },

  async writeStream(res, plan) {
    res.writeHead(200, { 'content-type': 'application/json' });
    let sofar = '';
    for (const [i, piece] of plan.pieces.entries()) {
      if (plan.breakAfter !== undefined && i >= plan.breakAfter) return dropConnection(res);
      if (plan.delayMs) await pause(plan.delayMs);
      sofar += piece;
      const last = i === plan.pieces.length - 1;
      const output = last ? plan.usage.output : Math.min(i + 1, plan.usage.output);
      res.write(resultLine(sofar, last, plan, output));
      plan.onPiece();
    }
    res.end();
  },

  // textEmbedding: one text per call, 256 dimensions for text-search-doc and text-search-query.
  embeddings: {
    route: (method, path) => method === 'POST' && path === '/foundationModels/v1/textEmbedding',
    write(res, req) {
      const text = (req.body as { text?: string } | undefined)?.text ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ embedding: fakeEmbedding(text), numTokens: String(Math.ceil(text.length / 4)), modelVersion: '14.02.2024' }),
      );
    },
  },

  writeJson(res, plan) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(resultLine(plan.text, true, plan, plan.usage.output));
  },
};

/** Starts a fake YandexGPT server; its `url` is ready for YANDEX_BASE_URL. */
export function startFakeYandex(opts: FakeProviderOptions = {}): Promise<FakeProvider> {
  return startFakeServer(protocol, opts);
}
