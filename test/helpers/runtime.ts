/** Starts the whole service in this process against an isolated environment. */
import { startRuntime, type Mode } from '../../bin/runtime.js';
import { testEnv, type TestEnv } from './env.js';
import { runtimeLog } from './runtime-logs.js';

export interface TestRuntime {
  url: string;
  t: TestEnv;
  close(): Promise<void>;
}

export async function startTestRuntime(name: string, opts: { mode?: Mode; env?: NodeJS.ProcessEnv } = {}): Promise<TestRuntime> {
  const t = testEnv(name, opts.env);
  // Errors are kept to show with a failed test; TEST_LOG_LEVEL sends every line to stdout instead.
  const kept = !process.env.TEST_LOG_LEVEL;
  const runtime = await startRuntime(opts.mode ?? 'all', kept ? { ...t.env, LOG_LEVEL: 'error' } : t.env, kept ? { logTo: runtimeLog } : {});
  return {
    url: runtime.url ?? '',
    t,
    async close() {
      await runtime.close();
      await t.cleanup();
    },
  };
}
