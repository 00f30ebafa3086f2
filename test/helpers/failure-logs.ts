/** Shows a failed test the errors its file's in-process runtimes logged while it ran (runtime-logs.ts). */
import { beforeEach } from 'vitest';
import { logMark, loggedSince } from './runtime-logs.js';

beforeEach(({ onTestFailed }) => {
  const mark = logMark();
  onTestFailed(() => {
    const logged = loggedSince(mark);
    if (logged.length) console.error(`The service logged while this test ran:\n${logged.join('')}`);
  });
});
