/** Starts the whole service in this process against an isolated environment. */
import { startRuntime, type Mode } from '../../bin/runtime.js';
import { testEnv, type TestEnv } from './env.js';

export interface TestRuntime {
  url: string;
  t: TestEnv;
  close(): Promise<void>;
}

export async function startTestRuntime(name: string, opts: { mode?: Mode; env?: NodeJS.ProcessEnv } = {}): Promise<TestRuntime> {
  const t = testEnv(name, opts.env);
  const runtime = await startRuntime(opts.mode ?? 'all', t.env);
  return {
    url: runtime.url ?? '',
    t,
    async close() {
      await runtime.close();
      await t.cleanup();
    },
  };
}
