/** `npm run bench`: runs every benchmark, prints a summary and writes JSON to bench/results/. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import setup from '../test/helpers/global-setup.js';
import { runAuthMeBench } from './auth-me.js';
import { runChatBench } from './chat.js';
import { runDocumentsBench } from './documents.js';
import { runLiveAnswersBench } from './live-answers.js';
import { runQueryCount } from './queries.js';
import { runSearchBench } from './search.js';
import { TEST_DATABASE_URL } from '../test/helpers/services.js';

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

await setup();
const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version },
};

const me = await runAuthMeBench({ connections, durationMs });
results.auth_me = me;
console.log(`auth/me: ${me.service.rps} req/s (p50 ${me.service.latency_ms.p50} ms, p99 ${me.service.latency_ms.p99} ms); bare Koa ${me.baseline.rps} req/s; ratio ${me.throughput_ratio} (median of rounds ${me.round_ratios.join(", ")})`);

const chat = (await runChatBench()) as { messages_per_s: number; bullmq_noop_jobs_per_s: number; throughput_ratio: number; ttft_added_ms: { p50: number; p99: number } };
results.chat = chat;
console.log(`chat: ${chat.messages_per_s} msg/s POST -> reply.completed; BullMQ no-op ${chat.bullmq_noop_jobs_per_s} jobs/s; ratio ${chat.throughput_ratio}; pipeline-added TTFT p50 ${chat.ttft_added_ms.p50} ms, p99 ${chat.ttft_added_ms.p99} ms`);

const queries = await runQueryCount();
results.queries = queries;
console.log(`queries per chat message: ${queries.queries_per_message} (${Object.entries(queries.by_statement).map(([k, v]) => `${k} ${v}`).join(', ')})`);

const searchBench = await runSearchBench(TEST_DATABASE_URL);
results.search = searchBench;
console.log(`search at ${searchBench.document_chunks} document chunks + the law library: p50 ${searchBench.search_ms.p50} ms, p95 ${searchBench.search_ms.p95} ms (goal p95 <= 50 ms); plain one-statement Postgres search p95 ${searchBench.baseline_ms.p95} ms; p95 ratio ${searchBench.p95_ratio}`);

const documents = await runDocumentsBench();
results.documents = documents;
const [ready, memory] = [documents.pdf_to_ready, documents.upload_memory];
console.log(`documents: ${(ready.pdf_bytes / 2 ** 20).toFixed(1)} MB text PDF (${ready.pages} pages) upload -> ready ${ready.upload_to_ready_ms} ms (goal <= 5000 ms); pdftotext alone ${ready.pdftotext_ms} ms; ratio ${ready.ratio}; upload peak RSS growth ${memory.uploads.map((u) => `${u.size_mb} MB file: +${u.growth_mb} MB`).join(', ')}; ratio ${memory.ratio} (flat = 1)`);

const live = await runLiveAnswersBench();
results.live_answers = live;
console.log(`live answers: ${live.intact}/${live.answers} intact (share ${live.intact_share}; goal 1), ${live.deltas_per_answer} deltas every ${live.delta_every_ms} ms; wall ${live.wall_s} s against the ideal ${live.ideal_s} s, ratio ${live.wall_ratio} (goal <= 1.3); worker peak RSS ${live.worker.peak_rss_mb} MB (goal <= 600), event-loop p99 ${live.worker.eventloop_p99_ms.max} ms (worst second; goal <= 100)`);

const dir = path.resolve('bench/results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `bench-${Date.now()}.json`);
fs.writeFileSync(file, JSON.stringify(results, null, 2));
console.log(JSON.stringify(results, null, 2));
console.log(`written: ${file}`);
process.exit(0); // the in-process runtimes leave handles behind (BullMQ, pools); the results are written
