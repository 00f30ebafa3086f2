/**
 * Chat pipeline benchmark. API and workers are spawned as separate processes (as in
 * production), the AI provider is an instant local fake, everything on loopback.
 * - throughput: messages per second from POST to `reply.completed`, many users in
 *   parallel (each within its in-flight limit), the pools at their defaults, against raw
 *   BullMQ no-op jobs per second at concurrency 100, measured in the same run (issue 13);
 * - time to first token added by the pipeline: client-observed (POST sent -> first
 *   `reply.delta`) minus the fake provider's own (request received -> first token
 *   written), one message at a time, at p50 and p99.
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { fakeProviderEnv, startFakeOpenAI } from '../test/helpers/fake-providers/index.js';
import type { FakeProvider } from '../test/helpers/fake-providers/fake-server.js';
import { registerUser } from '../test/helpers/http.js';
import { REDIS_URL } from '../test/helpers/services.js';
import { asStartedByDefault } from './defaults.js';
import { percentile } from './load.js';
import { QUESTIONS } from './law/questions.js';
import { ask, cluster, connect, newChat, type Client } from '../test/e2e/chat/harness.js';

const USERS = Number(process.env.BENCH_CHAT_USERS ?? 16);
const MESSAGES = Number(process.env.BENCH_CHAT_MESSAGES ?? 320);
const TTFT_SAMPLES = Number(process.env.BENCH_CHAT_TTFT_SAMPLES ?? 60);
const NOOP_JOBS = Number(process.env.BENCH_NOOP_JOBS ?? 3000);
const NOOP_CONCURRENCY = 100;
/** Extra environment of the API and worker processes (JSON), for profiling: e.g. {"NODE_OPTIONS": "--import ./hook.mjs"}. */
const PROCESS_ENV = JSON.parse(process.env.BENCH_CHAT_PROCESS_ENV ?? '{}') as Record<string, string>;

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Raw BullMQ: no-op jobs through one worker at concurrency 100. */
async function noopThroughput(): Promise<number> {
  const prefix = `bench-noop-${randomBytes(4).toString('hex')}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection, prefix });
  const workerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker('noop', async () => undefined, { connection: workerConnection, prefix, concurrency: NOOP_CONCURRENCY });
    worker.on('completed', () => {
      if (++done === NOOP_JOBS) void worker.close().then(() => resolve());
    });
  });
  const started = performance.now();
  for (let i = 0; i < NOOP_JOBS; i += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, NOOP_JOBS - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: true } })));
  }
  await finished;
  const rate = NOOP_JOBS / ((performance.now() - started) / 1000);
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  workerConnection.disconnect();
  return rate;
}

/** Resolves when the reply ends; event-driven, so the bench client costs little CPU. */
function ended(client: Client, replyId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reply ${replyId} did not end`)), 60_000);
    const onEnd = (data: { message?: { id: string }; message_id?: string }) => {
      if ((data.message?.id ?? data.message_id) !== replyId) return;
      clearTimeout(timer);
      client.socket.off('reply.completed', onEnd).off('reply.failed', onEnd);
      resolve();
    };
    client.socket.on('reply.completed', onEnd).on('reply.failed', onEnd);
    // It may have ended before this listener was added.
    for (const e of client.events) if (e.event === 'reply.completed' || e.event === 'reply.failed') onEnd(e.data);
  });
}

export async function runChatBench(): Promise<object> {
  const fake = await startFakeOpenAI({ defaultStep: { kind: 'text', text: 'Короткий ответ ассистента для замера.', chunks: 3 } });
  // The e2e harness's cluster: secrets, spawning, readiness and clean-up as the chat e2e tests do them.
  const c = cluster('benchchat', {
    ...fakeProviderEnv({ openai: fake }),
    AI_CACHE_TTL_SECONDS: '0',
    DATABASE_POOL_MAX: '10', // the production default (test envs use 4)
  });
  const clients: Client[] = [];
  let stopClean = async (): Promise<unknown> => undefined;
  try {
    const { url, proc: apiProc } = await c.startApi(PROCESS_ENV);
    await asStartedByDefault(c.t);
    const workers = await c.startWorkers(PROCESS_ENV);
    // A clean exit, so that exit hooks (a profiler) run.
    stopClean = () => Promise.all([workers.stop('SIGTERM'), apiProc.stop('SIGTERM')]);
    const noopPerSecond = await noopThroughput();

    const users = await Promise.all(Array.from({ length: USERS }, (_, i) => registerUser(url, `bench${i}`)));
    for (const u of users) clients.push(await connect(url, u.token));
    const chats = await Promise.all(users.map((u) => newChat(url, u.token)));

    // Throughput: each user keeps its two allowed replies in flight until MESSAGES are done.
    let next = 0;
    const started = performance.now();
    await Promise.all(
      users.flatMap((u, i) =>
        [0, 1].map(async () => {
          while (next < MESSAGES) {
            const n = next++;
            const { reply } = await ask(url, u.token, chats[i]!, `Вопрос для замера номер ${n}: можно ли расторгнуть договор?`);
            const replyId = reply.id;
            await ended(clients[i]!, replyId);
          }
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const messagesPerSecond = MESSAGES / seconds;

    // Time to first token, one message at a time, asked as people ask (bench/law/questions.ts).
    const ttft = await timeToFirstToken(url, users[0]!.token, clients[0]!, fake, (i) => QUESTIONS[i % QUESTIONS.length]!.q);
    return {
      users: USERS,
      messages: MESSAGES,
      seconds: round(seconds, 2),
      messages_per_s: round(messagesPerSecond),
      bullmq_noop_jobs_per_s: round(noopPerSecond),
      throughput_ratio: round(messagesPerSecond / noopPerSecond, 3),
      ...ttft,
    };
  } finally {
    for (const client of clients) client.close();
    await stopClean();
    await c.stopAll();
    await fake.close();
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** TTFT_SAMPLES questions asked one at a time, each in a chat of its own; the first token's time as the pipeline adds it. */
async function timeToFirstToken(url: string, token: string, client: Client, fake: FakeProvider, question: (i: number) => string) {
  const added: number[] = [];
  const observed: number[] = [];
  const own: number[] = [];
  /** Where the added time goes, from the POST: answered, question shown masked, provider called. */
  const stages = { accepted: [] as number[], masked: [] as number[], provider_called: [] as number[] };
  for (let i = 0; i < TTFT_SAMPLES; i++) {
    const chatId = await newChat(url, token);
    await client.join(chatId);
    const t0 = Date.now();
    const { message, reply } = await ask(url, token, chatId, question(i));
    stages.accepted.push(Date.now() - t0);
    await ended(client, reply.id);
    const firstDeltaAt = client.events.find((e) => e.event === 'reply.delta' && e.data.message_id === reply.id)!.at;
    const maskedAt = client.events.find((e) => e.event === 'message.created' && (e.data.message as { id?: string } | undefined)?.id === message.id)?.at;
    const req = fake.requests.at(-1)!;
    const provider = (req.firstTokenAt ?? req.receivedAt) - req.receivedAt;
    if (maskedAt) stages.masked.push(maskedAt - t0);
    stages.provider_called.push(req.receivedAt - t0);
    observed.push(firstDeltaAt - t0);
    own.push(provider);
    added.push(firstDeltaAt - t0 - provider);
  }
  return {
    ttft_added_ms: { p50: percentile(sorted(added), 50), p99: percentile(sorted(added), 99), samples: added.length },
    ttft_client_ms: { p50: percentile(sorted(observed), 50), p99: percentile(sorted(observed), 99) },
    ttft_provider_ms: { p50: percentile(sorted(own), 50), p99: percentile(sorted(own), 99) },
    ttft_stages_p50_ms: Object.fromEntries(Object.entries(stages).map(([stage, ms]) => [stage, percentile(sorted(ms), 50)])),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { default: setup } = await import('../test/helpers/global-setup.js');
  await setup();
  console.log(JSON.stringify(await runChatBench(), null, 2));
}
