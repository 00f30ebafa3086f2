/**
 * Concurrent live answers: 1 API process and 1 worker process, spawned as in production, with
 * their production defaults (pool sizes, DATABASE_POOL_MAX). A fake OpenAI-compatible provider
 * speaking the real SSE wire protocol (so the real `openai` SDK parses it) streams every answer
 * as DELTAS pieces, DELTA_MS apart: 50 × 200 ms = 10 s, the ideal wall time. USERS users each
 * follow their two chats on one socket and ask in both at once: 1,000 answers in flight, each
 * with passages from the law library.
 *
 * Per answer, from the socket: deltas received, gaps in `seq`, completed or not; intact means
 * completed with seq 1..N gap-free and the deltas adding up to the provider's text. The
 * worker's /metrics (prom-client defaults) is scraped every second during the run: its peak
 * RSS, and its event-loop delay p99, which prom-client computes over the time since the last
 * scrape (the histogram is reset at each one), so the figure is the worst 1-second p99.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fakeProviderEnv, startFakeOpenAI } from '../test/helpers/fake-providers/index.js';
import { registerUser } from '../test/helpers/http.js';
import { freePort } from '../test/helpers/spawn.js';
import { ask, cluster, connect, newChat, type Client } from '../test/e2e/chat/harness.js';
import { asStartedByDefault } from './defaults.js';
import { percentile } from './load.js';

const USERS = Number(process.env.BENCH_LIVE_USERS ?? 500);
const PER_USER = 2; // CHAT_MAX_INFLIGHT's default: each user's two replies in flight
const DELTAS = Number(process.env.BENCH_LIVE_DELTAS ?? 50);
const DELTA_MS = Number(process.env.BENCH_LIVE_DELTA_MS ?? 200);
const TIMEOUT_MS = Number(process.env.BENCH_LIVE_TIMEOUT_MS ?? 120_000);
/** Extra environment of the API and worker processes (JSON), for profiling: e.g. {"NODE_OPTIONS": "--import ./hook.mjs"}. */
const PROCESS_ENV = JSON.parse(process.env.BENCH_LIVE_PROCESS_ENV ?? '{}') as Record<string, string>;
/** Registrations at a time: each costs the API an argon2 hash. */
const SETUP_PARALLEL = 16;

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** p50, p99 and max of sorted milliseconds, in seconds. */
const spread = (ms: number[]) => ({ p50: round(percentile(ms, 50) / 1000, 2), p99: round(percentile(ms, 99) / 1000, 2), max: round((ms.at(-1) ?? 0) / 1000, 2) });

/** DELTAS pieces of 10 characters each (splitText cuts the text into exactly DELTAS pieces). */
const TEXT = Array.from({ length: DELTAS }, (_, i) => `Часть ${String(i + 1).padStart(3, '0')}.`).join('');

interface Answer {
  deltas: number;
  lastSeq: number;
  gaps: number;
  text: string;
  firstDeltaAt?: number;
  endedAt?: number;
  outcome?: 'completed' | 'failed';
}

/** Runs `fn` over `items`, `n` at a time. */
async function inBatches<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }));
  return out;
}

/** A Prometheus sample of `name` (no labels) in a scrape, or undefined. */
const sample = (text: string, name: string) => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

let postRetries = 0;

/** As a client does: a 503 (the API's database pool busy past its wait) is tried again after a second. */
async function askRetrying(...args: Parameters<typeof ask>): ReturnType<typeof ask> {
  for (;;) {
    try {
      return await ask(...args);
    } catch (err) {
      if (!/not accepted: 503/.test((err as Error).message)) throw err;
      postRetries++;
      await sleep(1000);
    }
  }
}

interface ProcessStats {
  /** RSS and V8 heap in use at the first scrape (warmed up, before the first question). */
  start_rss_mb: number;
  start_heap_used_mb: number;
  peak_rss_mb: number;
  /** The V8 heap in use and the memory outside it (buffers) at the scrape of the peak RSS. */
  at_peak: { heap_used_mb: number; external_mb: number };
  eventloop_p99_ms: { max: number; median: number };
  cpu_seconds: number;
  failed_scrapes: number;
}

/** The worker's warnings and errors (pino JSON lines), counted by message: why answers restarted or failed. */
function warningsOf(output: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of output.split('\n')) {
    let entry: { level?: number; msg?: string; code?: string; err?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // not a log line (stdout and stderr interleave)
    }
    if ((entry.level ?? 0) < 40) continue;
    const what = [entry.msg ?? '?', entry.code, entry.err?.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, '<id>').slice(0, 120)].filter(Boolean).join(': ');
    counts[what] = (counts[what] ?? 0) + 1;
  }
  return counts;
}

/** Scrapes a /metrics every second until stopped; the first scrape only resets the histogram. */
function scraper(url: string) {
  const rss: number[] = [];
  const heap: number[] = [];
  const external: number[] = [];
  let startRss = 0;
  let startHeap = 0;
  const p99: number[] = [];
  let cpuFirst: number | undefined;
  let cpuLast = 0;
  let running = true;
  let failures = 0;
  const scrape = async () => {
    const text = await fetch(url).then((r) => r.text(), () => {
      failures++;
      return '';
    });
    const cpu = sample(text, 'process_cpu_seconds_total') ?? 0;
    return { text, cpu };
  };
  const done = (async () => {
    const first = await scrape();
    cpuFirst = first.cpu;
    startRss = sample(first.text, 'process_resident_memory_bytes') ?? 0;
    startHeap = sample(first.text, 'nodejs_heap_size_used_bytes') ?? 0;
    while (running) {
      await sleep(1000);
      const { text, cpu } = await scrape();
      if (!text) continue;
      rss.push(sample(text, 'process_resident_memory_bytes') ?? 0);
      heap.push(sample(text, 'nodejs_heap_size_used_bytes') ?? 0);
      external.push(sample(text, 'nodejs_external_memory_bytes') ?? 0);
      p99.push(sample(text, 'nodejs_eventloop_lag_p99_seconds') ?? 0);
      cpuLast = cpu;
    }
  })();
  return {
    async stop(): Promise<ProcessStats> {
      running = false;
      await done;
      const lag = sorted(p99);
      const peak = rss.indexOf(Math.max(...rss));
      const mb = (bytes = 0) => round(bytes / 2 ** 20);
      return {
        start_rss_mb: mb(startRss),
        start_heap_used_mb: mb(startHeap),
        peak_rss_mb: mb(rss[peak]),
        at_peak: { heap_used_mb: mb(heap[peak]), external_mb: mb(external[peak]) },
        eventloop_p99_ms: { max: round((lag.at(-1) ?? 0) * 1000), median: round(percentile(lag, 50) * 1000) },
        cpu_seconds: round(cpuLast - (cpuFirst ?? 0), 2),
        failed_scrapes: failures,
      };
    },
  };
}

export async function runLiveAnswersBench() {
  const fake = await startFakeOpenAI({ defaultStep: { kind: 'text', text: TEXT, chunks: DELTAS, delayMs: DELTA_MS } });
  const metricsPort = await freePort();
  const c = cluster('benchlive', {
    ...fakeProviderEnv({ openai: fake }),
    AI_CACHE_TTL_SECONDS: '0',
    DATABASE_POOL_MAX: '10', // the production default (test envs use 4)
  });
  const clients: Client[] = [];
  let stopClean = async (): Promise<unknown> => undefined;
  try {
    const { url, proc: apiProc } = await c.startApi(PROCESS_ENV);
    await asStartedByDefault(c.t);
    const workers = await c.startWorkers({ METRICS_PORT: String(metricsPort), ...PROCESS_ENV });
    // A clean exit, so that exit hooks (a profiler) run.
    stopClean = () => Promise.all([workers.stop('SIGTERM'), apiProc.stop('SIGTERM')]);

    // Every user registered, connected and following both chats before anyone asks.
    const users = await inBatches(Array.from({ length: USERS }), SETUP_PARALLEL, (_, i) => registerUser(url, `live${i}`));
    const chats = await inBatches(users, SETUP_PARALLEL, async (u) => Promise.all(Array.from({ length: PER_USER }, () => newChat(url, u.token))));
    await inBatches(users, SETUP_PARALLEL, async (u, i) => {
      const client = await connect(url, u.token);
      clients[i] = client;
      for (const chatId of chats[i]!) {
        const ack = await client.join(chatId);
        if (JSON.stringify(ack) !== '{"ok":true}') throw new Error(`chat:join not acknowledged: ${JSON.stringify(ack)}`);
      }
    });

    // Warm-up: one answer end to end (instant), so that lazy loading (modules, the DLP
    // dictionaries, prepared connections) is not counted as the run's.
    const warm = await registerUser(url, 'livewarm');
    const warmChat = await newChat(url, warm.token);
    const warmClient = await connect(url, warm.token);
    fake.script({ kind: 'text', chunks: 3 });
    await warmClient.first('reply.completed', (await ask(url, warm.token, warmChat, 'Разогрев')).reply.id, 30_000);
    warmClient.close();

    const answers = new Map<string, Answer>();
    /** When each question's masking was announced, by question id. */
    const maskedAt = new Map<string, number>();
    const answer = (id: string) => {
      let a = answers.get(id);
      if (!a) answers.set(id, (a = { deltas: 0, lastSeq: 0, gaps: 0, text: '' }));
      return a;
    };
    const total = USERS * PER_USER;
    let ended = 0;
    let allEnded!: () => void;
    const finished = new Promise<void>((resolve) => (allEnded = resolve));
    const end = (id: string, outcome: Answer['outcome']) => {
      const a = answer(id);
      if (a.outcome) return;
      a.outcome = outcome;
      a.endedAt = performance.now();
      if (++ended === total) allEnded();
    };
    for (const client of clients) {
      client.socket.on('reply.delta', (d: { message_id: string; seq: number; delta: string }) => {
        const a = answer(d.message_id);
        a.firstDeltaAt ??= performance.now();
        if (d.seq !== a.lastSeq + 1) a.gaps++;
        a.lastSeq = d.seq;
        a.deltas++;
        a.text += d.delta;
      });
      client.socket.on('reply.completed', (d: { message: { id: string; sender: string } }) => {
        if (d.message.sender === 'assistant') end(d.message.id, 'completed');
      });
      client.socket.on('reply.failed', (d: { message_id: string }) => end(d.message_id, 'failed'));
      client.socket.on('message.created', (d: { message: { id: string; sender: string } }) => {
        if (d.message.sender === 'user') maskedAt.set(d.message.id, performance.now());
      });
    }

    const workerStats = scraper(`http://127.0.0.1:${metricsPort}/metrics`);
    const apiStats = scraper(`${url}/metrics`);
    const benchLoop = monitorEventLoopDelay({ resolution: 10 });
    benchLoop.enable();
    await sleep(200); // the scrapers' first (resetting) scrape

    const started = performance.now();
    const startedAtMs = Date.now(); // the fake provider stamps requests with Date.now()
    fake.reset();
    const asked = await Promise.all(users.flatMap((u, i) => chats[i]!.map(async (chatId) => {
      const { message, reply } = await askRetrying(url, u.token, chatId, `Вопрос пользователя ${i}: можно ли расторгнуть договор аренды досрочно?`);
      return { id: reply.id, questionId: message.id as string, acceptedAt: performance.now() };
    })));
    const timedOut = await Promise.race([finished.then(() => false), sleep(TIMEOUT_MS).then(() => true)]);
    const wall = (performance.now() - started) / 1000;
    benchLoop.disable();
    const [worker, api] = [await workerStats.stop(), await apiStats.stop()];
    if (workers.child.exitCode !== null || workers.child.signalCode !== null) {
      throw new Error(`the worker process ended during the run (${workers.child.exitCode ?? workers.child.signalCode}):\n${workers.output().slice(-4000)}`);
    }

    const mine = asked.map((q) => answer(q.id));
    const intact = mine.filter((a) => a.outcome === 'completed' && a.gaps === 0 && a.deltas === DELTAS && a.text === TEXT).length;
    const accepted = sorted(asked.map((q) => q.acceptedAt - started));
    const masked = sorted(asked.flatMap((q) => (maskedAt.has(q.questionId) ? [maskedAt.get(q.questionId)! - started] : [])));
    const firstDelta = sorted(mine.filter((a) => a.firstDeltaAt).map((a) => a.firstDeltaAt! - started));
    const lastEnd = sorted(mine.filter((a) => a.endedAt).map((a) => a.endedAt! - started));
    const ideal = (DELTAS * DELTA_MS) / 1000;
    return {
      users: USERS,
      answers: total,
      deltas_per_answer: DELTAS,
      delta_every_ms: DELTA_MS,
      completed: mine.filter((a) => a.outcome === 'completed').length,
      failed: mine.filter((a) => a.outcome === 'failed').length,
      timed_out: timedOut,
      intact,
      intact_share: round(intact / total, 4),
      with_gaps: mine.filter((a) => a.gaps > 0).length,
      deltas_received: mine.reduce((n, a) => n + a.deltas, 0),
      ideal_s: ideal,
      wall_s: round(wall, 2),
      wall_ratio: round(wall / ideal, 3),
      // From the first POST: each stage's p50, p99 and last, over the answers.
      accepted_s: spread(accepted),
      post_retries_after_503: postRetries,
      masked_s: spread(masked),
      provider_called_s: spread(sorted(fake.requests.map((r) => r.receivedAt - startedAtMs))),
      first_delta_s: spread(firstDelta),
      ended_s: spread(lastEnd),
      worker: { ...worker, warnings: warningsOf(workers.output()) },
      api,
      bench_client_eventloop_p99_ms: round(benchLoop.percentile(99) / 1e6),
      provider_requests: fake.calls,
    };
  } finally {
    for (const client of clients) client?.close();
    await stopClean();
    await c.stopAll();
    await fake.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { default: setup } = await import('../test/helpers/global-setup.js');
  await setup();
  console.log(JSON.stringify(await runLiveAnswersBench(), null, 2));
  process.exit(0);
}
