/**
 * The CPU pool: worker threads (piscina) for the CPU-bound steps of the pipelines (DLP
 * scans, chunking), so they never stall the event loop that carries the streams. Sized to
 * the cores by default; DLP_THREADS overrides, and 0 runs every task inline (a laptop, the
 * embedded mode). Started at the first task, destroyed by closeCpuPool() on shutdown.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import * as tasks from './cpu-tasks.js';
import type { Logger } from './log.js';

type Tasks = typeof tasks;
export type CpuTask = { [K in keyof Tasks]: Tasks[K] extends (input: never) => unknown ? K : never }[keyof Tasks];

let threads = os.availableParallelism();
let pool: Piscina | undefined;
let log: Logger | undefined;

/** Threads of the pool from now on (DLP_THREADS); undefined: one per core. */
export function configureCpuPool(size: number | undefined, logger?: Logger): void {
  threads = size ?? os.availableParallelism();
  log = logger;
}

export function cpuThreads(): number {
  return threads;
}

function started(): Piscina {
  if (pool) return pool;
  // Every thread loads the DLP dictionaries (about 0.25 s and 30 MB): keep them all alive.
  // Idle threads do not hold the process open (piscina unrefs them).
  const created = new Piscina({
    filename: new URL('./cpu-worker.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Infinity,
  });
  // A thread that failed outside a task (say, while loading): start afresh at the next task;
  // the tasks still queued are refused, and their callers fail closed.
  created.on('error', (err: Error) => {
    log?.error({ err: err.message }, 'CPU pool thread failed');
    if (pool === created) pool = undefined;
    void created.destroy();
  });
  pool = created;
  return created;
}

/** Runs a task of core/cpu-tasks.ts on the pool, or inline when the pool has 0 threads. */
export async function runCpuTask<K extends CpuTask>(name: K, input: Parameters<Tasks[K]>[0]): Promise<ReturnType<Tasks[K]>> {
  if (threads === 0) return (tasks[name] as (input: unknown) => ReturnType<Tasks[K]>)(input);
  return started().run({ name, input }) as Promise<ReturnType<Tasks[K]>>;
}

/** Ends the threads; the next task starts a new pool. */
export async function closeCpuPool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.destroy();
}
