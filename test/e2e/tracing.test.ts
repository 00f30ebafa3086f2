/**
 * One trace per request across processes: split API and worker processes export OTLP/HTTP to
 * a receiver in this test; a chat message's trace runs from the HTTP span through each job of
 * its flow to the provider call and the database, with parent links intact, log lines carry
 * its ids, and nothing personal is exported.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- OTLP JSON as received */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../helpers/fake-providers/index.js';
import { registerUser, request } from '../helpers/http.js';
import { ask, cluster, newChat, storedReply, waitFor, type Cluster } from './chat/harness.js';

const RAW = ['Сидорова', '+7 916 555-44-33', 'sidorova@mail.ru', '7707083893'];
const QUESTION = `Я ${RAW[0]} Анна Петровна, тел. ${RAW[1]}, почта ${RAW[2]}, ИНН ${RAW[3]}. Меня уволили.`;
const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

interface Received {
  contentType: string;
  body: Buffer;
}

interface FlatSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

let openai: FakeProvider;
let receiver: http.Server;
let received: Received[] = [];
let c: Cluster;

function startReceiver(): Promise<string> {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      if (req.url === '/v1/traces') received.push({ contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}`)));
}

function spans(): FlatSpan[] {
  const out: FlatSpan[] = [];
  for (const r of received.filter((x) => x.contentType.includes('json'))) {
    for (const rs of JSON.parse(r.body.toString()).resourceSpans ?? []) {
      const service = rs.resource.attributes.find((a: any) => a.key === 'service.name')?.value.stringValue;
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const attributes = Object.fromEntries((s.attributes ?? []).map((a: any) => [a.key, Object.values(a.value)[0]]));
          out.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind, attributes });
        }
      }
    }
  }
  return out;
}

beforeAll(async () => {
  const endpoint = await startReceiver();
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: 'Ответ юриста-ассистента.', chunks: 2 } });
  c = cluster('tracing', {
    ...fakeProviderEnv({ openai }),
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
});

afterAll(async () => {
  await c?.stopAll();
  await openai?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('tracing across API and worker processes', () => {
  it('runs one trace from the HTTP request through both jobs of the flow to the provider and the database', async () => {
    const { url } = await c.startApi();
    const workers = await c.startWorkers();
    const user = await registerUser(url, 'traced');
    const chat = await newChat(url, user.token);
    received = [];
    // The caller's own trace: everything below must continue it.
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const { reply } = await ask(url, user.token, chat, QUESTION, { traceparent: `00-${traceId}-${callerSpan}-01` });
    expect((await storedReply(url, user.token, chat, reply.id)).status).toBe('completed');

    // Spans arrive as each process exports them: wait until the chain up from the provider is whole.
    const chainUp = (from: FlatSpan, byId: Map<string, FlatSpan>) => {
      const chain: FlatSpan[] = [];
      for (let s: FlatSpan | undefined = from; s; s = byId.get(s.parentSpanId)) chain.push(s);
      return chain;
    };
    const { provider, inTrace, byId, chain } = await waitFor('the whole trace', () => {
      const inTrace = spans().filter((s) => s.traceId === traceId);
      const byId = new Map(inTrace.map((s) => [s.spanId, s]));
      const provider = inTrace.find((s) => s.kind === CLIENT && s.name.startsWith('chat '));
      const chain = provider ? chainUp(provider, byId) : [];
      return chain.at(-1)?.parentSpanId === callerSpan ? { provider: provider!, inTrace, byId, chain } : undefined;
    }, 15_000);
    const httpSpan = inTrace.find((s) => s.kind === SERVER && s.name === 'POST /api/chats/:chat_id/messages');
    expect(httpSpan).toMatchObject({ service: 'legal-ai-api', parentSpanId: callerSpan });
    expect(httpSpan!.attributes).toMatchObject({ 'http.route': '/api/chats/:chat_id/messages', 'http.response.status_code': 202 });

    expect(provider.traceId).toBe(traceId);
    expect(provider).toMatchObject({ service: 'legal-ai-workers', attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' } });
    expect(Number(provider.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);

    // Walking up from the provider span passes through the reply job and reaches the HTTP span.
    expect(chain.at(-1)).toBe(httpSpan);
    expect(chain.some((s) => s.kind === CONSUMER && s.name.includes('ai'))).toBe(true);
    // Every span of the trace hangs off another span of it, or off the caller.
    for (const s of inTrace) expect(s.parentSpanId === callerSpan || byId.has(s.parentSpanId), s.name).toBe(true);
    const consumers = inTrace.filter((s) => s.kind === CONSUMER).map((s) => s.name).join(' | ');
    expect(consumers).toMatch(/dlp/);
    expect(consumers).toMatch(/ai/);
    const db = inTrace.filter((s) => s.attributes['db.system.name'] === 'postgresql');
    expect(new Set(db.map((s) => s.service))).toEqual(new Set(['legal-ai-api', 'legal-ai-workers']));

    // Nothing personal in anything exported, and log lines carry the trace.
    const exported = received.map((r) => r.body.toString()).join('\n');
    for (const raw of [...RAW, user.email]) expect(exported).not.toContain(raw);
    expect(workers.output()).toContain(`"trace_id":"${traceId}"`);

    // A one-off answer is its job's return value, which BullMQ would record on the job's span.
    openai.script({ kind: 'text', text: 'Разовый ответ про отпуск.', chunks: 1 });
    const oneOff = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: 'Сколько дней отпуска положено?' } });
    expect(oneOff.status, JSON.stringify(oneOff.body)).toBe(200);
    const aiJobs = () => spans().filter((s) => s.kind === CONSUMER && s.name === 'process ai').length;
    await waitFor("the one-off job's span", () => (aiJobs() === 2 ? true : undefined), 15_000);
    expect(received.map((r) => r.body.toString()).join('\n')).not.toContain('Разовый ответ');
  });

  it('exports http/protobuf when asked to', async () => {
    const { url } = await c.startApi({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    received = [];
    expect((await request(url, 'GET', '/api/chats', {})).status).toBe(401);
    const proto = await waitFor('a protobuf export', () => received.find((r) => r.contentType === 'application/x-protobuf'), 10_000);
    expect(proto.body.length).toBeGreaterThan(0);
  });
});
