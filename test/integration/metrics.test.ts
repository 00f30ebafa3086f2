/**
 * GET /metrics: figures that move with a chat message, a failed provider and a workers-only
 * process, access from loopback or with METRICS_TOKEN only, and no personal data or ids in
 * any label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../bin/runtime.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../helpers/fake-providers/index.js';
import { registerUser, request } from '../helpers/http.js';
import { setPlanLimits } from '../helpers/plans.js';
import { metricValue as value } from '../helpers/metrics.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { ask, connect, newChat, storedReply, waitFor } from '../e2e/chat/harness.js';
import { upload } from '../helpers/documents.js';
import { settledDocument } from '../helpers/ingest.js';

const ANSWER = 'Ответ юриста-ассистента.';
const TOKEN = 'metrics-token-for-tests-0123456789';
const RAW = ['Сидорова', 'Анна', '+7 916 555-44-33', 'sidorova@mail.ru', '7707083893'];
const PII_QUESTION = `Я ${RAW[0]} ${RAW[1]} Петровна, тел. ${RAW[2]}, почта ${RAW[3]}, ИНН ${RAW[4]}. Меня уволили.`;

let openai: FakeProvider;
let rt: TestRuntime;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: ANSWER, chunks: 2 } });
  rt = await startTestRuntime('metrics', {
    env: { ...fakeProviderEnv({ openai }), AI_MAX_RETRIES: '0', AI_CIRCUIT_FAILURES: '50', CHAT_REPLY_ATTEMPTS: '1', METRICS_TOKEN: TOKEN },
  });
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
});

afterAll(async () => {
  await rt?.close();
  await openai?.close();
});

async function scrape(url = `${rt.url}/metrics`, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}


describe('GET /metrics', () => {
  it('moves with a chat message: HTTP by route template, questions, replies, jobs, AI, DLP, sockets and queue depth', async () => {
    const before = await scrape();
    const user = await registerUser(rt.url, 'metrics');
    const socket = await connect(rt.url, user.token);
    try {
      const chat = await newChat(rt.url, user.token);
      const { reply } = await ask(rt.url, user.token, chat, PII_QUESTION);
      expect((await storedReply(rt.url, user.token, chat, reply.id)).status).toBe('completed');
      // The reply is stored a moment before its job reports itself completed.
      const replyJob = { queue: 'ai', job: 'ai.chat-reply', outcome: 'completed' };
      const after = await waitFor('the reply job to be counted', async () => {
        const text = await scrape();
        return value(text, 'bullmq_job_duration_seconds_count', replyJob) > value(before, 'bullmq_job_duration_seconds_count', replyJob) ? text : undefined;
      });
      const moved = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

      expect(moved('http_server_request_duration_seconds_count', { method: 'POST', route: '/api/chats/:chat_id/messages', status: '202' })).toBe(1);
      expect(moved('chat_messages_total', { kind: 'chat' })).toBe(1);
      expect(moved('chat_replies_total', { outcome: 'completed' })).toBe(1);
      expect(moved('bullmq_job_duration_seconds_count', { queue: 'ai', job: 'ai.chat-reply', outcome: 'completed' })).toBe(1);
      expect(moved('bullmq_job_duration_seconds_count', { queue: 'dlp', job: 'dlp.mask-message', outcome: 'completed' })).toBe(1);
      expect(moved('ai_time_to_first_token_seconds_count', { provider: 'openai' })).toBe(1);
      expect(moved('ai_tokens_total', { provider: 'openai', direction: 'output' })).toBeGreaterThan(0);
      expect(moved('dlp_entities_total', { type: 'PHONE' })).toBe(1);
      expect(moved('dlp_entities_total', { type: 'PERSON' })).toBeGreaterThanOrEqual(1);
      expect(value(after, 'socketio_connections')).toBeGreaterThanOrEqual(1);
      expect(after).toMatch(/^bullmq_queue_jobs\{queue="ai",state="waiting"\} \d+$/m);
      expect(after).toMatch(/^ai_circuit_state\{provider="openai"\} 0$/m);
      expect(after).toMatch(/^process_cpu_seconds_total /m);

      // Nothing personal and no identifier in any label or value name.
      for (const secret of [...RAW, user.id, user.email, chat, reply.id]) expect(after).not.toContain(secret);
    } finally {
      socket.close();
    }
  });

  it('counts a failed provider by its error code, and the failed reply by its code', async () => {
    const before = await scrape();
    const user = await registerUser(rt.url, 'metricsfail');
    openai.setDefault({ kind: 'error', status: 500 });
    try {
      const chat = await newChat(rt.url, user.token);
      const { reply } = await ask(rt.url, user.token, chat, 'Вопрос при сбое');
      expect((await storedReply(rt.url, user.token, chat, reply.id)).status).toBe('failed');
    } finally {
      openai.setDefault({ kind: 'text', text: ANSWER, chunks: 2 });
    }
    const after = await scrape();
    expect(value(after, 'ai_provider_errors_total', { provider: 'openai' }) - value(before, 'ai_provider_errors_total', { provider: 'openai' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'chat_replies_total', { outcome: 'failed', code: 'ai_unavailable' }) - value(before, 'chat_replies_total', { outcome: 'failed', code: 'ai_unavailable' })).toBe(1);
  });

  it('counts a document that was ingested', async () => {
    const before = await scrape();
    const user = await registerUser(rt.url, 'metricsdoc');
    const res = await upload(rt.url, '/api/documents', user.token, { name: 'договор.txt', data: Buffer.from('Статья 1. Предмет договора.\n\nСтатья 2. Цена.') });
    expect(res.status).toBe(202);
    expect((await settledDocument(rt.url, user.token, res.body.document.id)).status).toBe('ready');
    const ready = (text: string) => value(text, 'documents_ingested_total', { outcome: 'ready' });
    // The row reads `ready` a moment before the stage that wrote it counts it.
    const after = await waitFor('the document to be counted', async () => {
      const text = await scrape();
      return ready(text) > ready(before) ? text : undefined;
    });
    expect(ready(after) - ready(before)).toBe(1);
  });

  it('is open on loopback only: a forwarded request needs METRICS_TOKEN', async () => {
    const forwarded = await fetch(`${rt.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect([forwarded.status, forwarded.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="metrics"']);
    expect(((await forwarded.json()) as { code: string }).code).toBe('unauthorized');
    const wrong = await fetch(`${rt.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer not-the-token-at-all-000' } });
    expect(wrong.status).toBe(401);
    await scrape(`${rt.url}/metrics`, { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${TOKEN}` });
    // The scheme's name is case-insensitive (RFC 9110).
    await scrape(`${rt.url}/metrics`, { 'x-forwarded-for': '203.0.113.9', authorization: `bearer ${TOKEN}` });
    const api = await request(rt.url, 'GET', '/api/chats', {});
    expect(api.status).toBe(401); // the token opens /metrics, nothing else
  });
});

describe('a workers-only process', () => {
  let workers: Runtime;
  afterAll(async () => workers?.close());

  it('serves /metrics on METRICS_PORT', async () => {
    workers = await startRuntime('workers', rt.t.env);
    expect(workers.url).toBeUndefined();
    const text = await scrape(workers.metricsUrl!);
    expect(text).toMatch(/^bullmq_queue_jobs\{queue="dlp",state="active"\} \d+$/m);
    expect((await fetch(workers.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);
    const forwarded = await fetch(workers.metricsUrl!, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect([forwarded.status, forwarded.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="metrics"']);
  });
});
