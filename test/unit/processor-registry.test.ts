import { describe, expect, it } from 'vitest';
import { JOBS } from '../../pipelines/registry.js';
import { PROCESSORS } from '../../workers/index.js';
import { defineProcessor } from '../../workers/processor.js';
import os from 'node:os';
import { loadConfig } from '../../core/config.js';
import { ProcessorRegistryError, indexProcessors, poolSize, selectQueues, workerDatabase } from '../../workers/pools.js';

describe('worker bootstrap', () => {
  it('accepts the codebase: every job name has exactly one processor', () => {
    expect([...indexProcessors(PROCESSORS).keys()].sort()).toEqual(Object.keys(JOBS).sort());
  });

  it('refuses a job name without a processor', () => {
    const [, ...rest] = PROCESSORS;
    expect(() => indexProcessors(rest)).toThrow(ProcessorRegistryError);
    expect(() => indexProcessors(rest)).toThrow(`job names without a processor: ${PROCESSORS[0]!.name}`);
  });

  it('refuses a job name with two processors', () => {
    const twin = defineProcessor({ name: PROCESSORS[0]!.name, process: async () => undefined });
    expect(() => indexProcessors([...PROCESSORS, twin])).toThrow(`job name "${twin.name}" has two processors`);
  });

  it('refuses unknown queues in WORKER_QUEUES', () => {
    expect(() => selectQueues(['billing', 'nope'])).toThrow(/unknown queues: nope/);
    expect(selectQueues(['billing'])).toEqual(['billing']);
  });
});

describe('pool sizes', () => {
  const sizes = (env: NodeJS.ProcessEnv) => loadConfig({ DATA_DIR: os.tmpdir(), ...env }).workers.concurrency;

  it('size each pool by what it waits on: a thousand streams for ai, many maskings (Postgres), one document job per core', () => {
    expect(poolSize('ai', sizes({}))).toBeGreaterThanOrEqual(1000);
    expect(poolSize('dlp', sizes({}))).toBeGreaterThan(os.availableParallelism());
    expect(poolSize('documents', sizes({}))).toBe(os.availableParallelism());
  });

  it('take WORKER_CONCURRENCY for every pool, and WORKER_CONCURRENCY_<QUEUE> over it', () => {
    const cfg = sizes({ WORKER_CONCURRENCY: '3', WORKER_CONCURRENCY_AI: '500' });
    expect([poolSize('ai', cfg), poolSize('dlp', cfg)]).toEqual([500, 3]);
  });

  it('refuse a bad size and an unknown queue, naming them', () => {
    expect(() => sizes({ WORKER_CONCURRENCY_AI: 'many' })).toThrow(/WORKER_CONCURRENCY_AI: must be an integer >= 1/);
    expect(() => poolSize('ai', sizes({ WORKER_CONCURRENCY_NOPE: '2' }))).toThrow(/unknown queues: nope/);
  });

  it("give a worker process twice the API's database connections, waiting longer for one; WORKER_DATABASE_POOL_MAX sets it", () => {
    const database = (env: NodeJS.ProcessEnv) => workerDatabase(loadConfig({ DATA_DIR: os.tmpdir(), ...env }));
    expect(database({})).toMatchObject({ poolMax: 20, acquireTimeoutMs: 60_000 });
    expect(database({ DATABASE_POOL_MAX: '4' }).poolMax).toBe(8);
    expect(database({ DATABASE_POOL_MAX: '4', WORKER_DATABASE_POOL_MAX: '50' }).poolMax).toBe(50);
    expect(loadConfig({ DATA_DIR: os.tmpdir() }).database).toMatchObject({ poolMax: 10 });
    expect(() => database({ WORKER_DATABASE_POOL_MAX: '0' })).toThrow(/WORKER_DATABASE_POOL_MAX/);
  });
});
