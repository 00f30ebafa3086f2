import { describe, expect, it } from 'vitest';
import { JOBS } from '../../pipelines/registry.js';
import { PROCESSORS } from '../../workers/index.js';
import { defineProcessor } from '../../workers/processor.js';
import { ProcessorRegistryError, indexProcessors, selectQueues } from '../../workers/pools.js';

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
