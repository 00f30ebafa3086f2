// The entry of each CPU pool thread (core/cpu-pool.ts). Node 20 does not carry the tsx loader
// of `node --import tsx` into worker threads, and vitest does not run under it at all: the
// thread registers tsx itself, then loads the tasks written in TypeScript.
import { register } from 'tsx/esm/api';

register();
const tasks = await import('./cpu-tasks.ts');

/** Runs one task of core/cpu-tasks.ts by name. */
export default function run({ name, input }) {
  return tasks[name](input);
}
