/** `npm run bench`: runs every benchmark, prints a summary and writes JSON to bench/results/. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import setup from '../test/helpers/global-setup.js';
import { runAuthMeBench } from './auth-me.js';
import { runChatBench } from './chat.js';

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

await setup();
const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version },
};

const me = await runAuthMeBench({ connections, durationMs });
results.auth_me = me;
console.log(`auth/me: ${me.service.rps} req/s (p50 ${me.service.latency_ms.p50} ms, p99 ${me.service.latency_ms.p99} ms); bare Koa ${me.baseline.rps} req/s; ratio ${me.throughput_ratio}`);

const chat = (await runChatBench()) as { messages_per_s: number; bullmq_noop_jobs_per_s: number; throughput_ratio: number; ttft_added_ms: { p50: number; p99: number } };
results.chat = chat;
console.log(`chat: ${chat.messages_per_s} msg/s POST -> reply.completed; BullMQ no-op ${chat.bullmq_noop_jobs_per_s} jobs/s; ratio ${chat.throughput_ratio}; pipeline-added TTFT p50 ${chat.ttft_added_ms.p50} ms, p99 ${chat.ttft_added_ms.p99} ms`);

const dir = path.resolve('bench/results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `bench-${Date.now()}.json`);
fs.writeFileSync(file, JSON.stringify(results, null, 2));
console.log(JSON.stringify(results, null, 2));
console.log(`written: ${file}`);
