/**
 * Shared pieces of the chat e2e files: API and worker processes spawned as a user runs them
 * (one database, one Redis, one queue prefix), Socket.IO clients that record what they see,
 * and polling helpers. Every process started here is stopped by `stopAll()`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- event payloads and bodies are whatever the server sent */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { testEnv, type TestEnv } from '../../helpers/env.js';
import { request } from '../../helpers/http.js';
import { REDIS_URL } from '../../helpers/services.js';
import { spawnListening, spawnService, type Spawned } from '../../helpers/spawn.js';

export interface Cluster {
  t: TestEnv;
  procs: Spawned[];
  startApi(extra?: NodeJS.ProcessEnv): Promise<{ url: string; proc: Spawned }>;
  startWorkers(extra?: NodeJS.ProcessEnv): Promise<Spawned>;
  stopAll(): Promise<void>;
}

/** Fast stalled-job detection, so a killed worker's job is taken over within about 2 s. */
export const FAST_STALLS = { WORKER_LOCK_DURATION_MS: '1500', WORKER_STALLED_INTERVAL_MS: '500' };

export function cluster(name: string, base: NodeJS.ProcessEnv = {}): Cluster {
  const t = testEnv(name, {
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AI_RETRY_BASE_MS: '10',
    ...base,
  });
  const procs: Spawned[] = [];
  return {
    t,
    procs,
    async startApi(extra = {}) {
      const started = await spawnListening('api', { ...t.env, ...extra });
      procs.push(started.proc);
      return started;
    },
    async startWorkers(extra = {}) {
      const proc = spawnService('workers', { ...t.env, LOG_LEVEL: 'info', ...extra });
      procs.push(proc);
      const deadline = Date.now() + 30_000;
      while (!proc.output().includes('worker pools started')) {
        if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`workers did not start:\n${proc.output()}`);
        await sleep(100);
      }
      return proc;
    },
    async stopAll() {
      await Promise.all(procs.map((p) => p.stop('SIGKILL')));
      await t.cleanup();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export interface Recorded {
  event: string;
  data: any;
  /** Date.now() when it arrived. */
  at: number;
}

export interface Client {
  socket: Socket;
  events: Recorded[];
  of(event: string, messageId?: string): any[];
  /** The first `event` (of the message, when given), once it has arrived. */
  first(event: string, messageId?: string, timeoutMs?: number): Promise<any>;
  join(chatId: string, extra?: Record<string, unknown>): Promise<any>;
  close(): void;
}

export async function connect(url: string, token: string): Promise<Client> {
  const socket = io(url, { path: '/ws', auth: { token }, transports: ['websocket'], reconnection: false });
  const events: Recorded[] = [];
  socket.onAny((event: string, data: unknown) => events.push({ event, data, at: Date.now() }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const matches = (d: any, id?: string) => !id || d.message_id === id || d.message?.id === id;
  const of = (event: string, id?: string) => events.filter((e) => e.event === event && matches(e.data, id)).map((e) => e.data);
  return {
    socket,
    events,
    of,
    first: (event, id, timeoutMs) => waitFor(id ? `${event} of ${id}` : event, () => of(event, id)[0], timeoutMs),
    join: (chatId, extra = {}) => socket.timeout(5000).emitWithAck('chat:join', { chat_id: chatId, ...extra }),
    close: () => socket.close(),
  };
}

/** Connects, follows the chat (its join must be acknowledged ok), runs `fn`, and closes the socket whatever happens. */
export async function following<T>(url: string, token: string, chatId: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url, token);
  try {
    const ack = await client.join(chatId);
    if (JSON.stringify(ack) !== '{"ok":true}') throw new Error(`chat:join not acknowledged: ${JSON.stringify(ack)}`);
    return await fn(client);
  } finally {
    client.close();
  }
}

/** A BullMQ queue of a test environment on a connection of its own; `close()` ends both. */
export function openQueue(name: string, prefix: string) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection: redis, prefix });
  return {
    redis,
    queue,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

export async function newChat(url: string, token: string): Promise<string> {
  const res = await request(url, 'POST', '/api/chats', { token, json: { title: 'Вопрос' } });
  if (res.status !== 201) throw new Error(`chat not created: ${res.status}`);
  return res.body.id;
}

export async function ask(url: string, token: string, chatId: string, content: string, headers: Record<string, string> = {}) {
  const res = await request(url, 'POST', `/api/chats/${chatId}/messages`, { token, json: { content }, headers });
  if (res.status !== 202) throw new Error(`message not accepted: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { message: any; reply: { id: string; status: string } };
}

export async function messagesOf(url: string, token: string, chatId: string): Promise<any[]> {
  const res = await request(url, 'GET', `/api/chats/${chatId}/messages?limit=100`, { token });
  return res.body.items;
}

/** Waits until the reply is stored as completed (or failed) and returns it. */
export async function storedReply(url: string, token: string, chatId: string, replyId: string, timeoutMs = 15_000): Promise<any> {
  return waitFor(`reply ${replyId} to finish`, async () => {
    const items = await messagesOf(url, token, chatId);
    const reply = items.find((m) => m.id === replyId);
    return reply && ['completed', 'failed'].includes(reply.status) ? reply : undefined;
  }, timeoutMs);
}
