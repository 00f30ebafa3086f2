/**
 * What the in-process runtimes of a test file log at `error`, kept in memory and shown when a
 * test fails (test/helpers/failure-logs.ts): a 500 in a test then comes with its cause, where
 * a silent runtime left nothing to read. Only the latest lines are kept.
 */
import type { DestinationStream } from '../../core/log.js';

const KEPT = 200;
const lines: string[] = [];
let written = 0;

export const runtimeLog: DestinationStream = {
  write(line: string) {
    lines.push(line);
    written += 1;
    if (lines.length > KEPT) lines.shift();
  },
};

/** A mark of how many lines were logged so far. */
export const logMark = (): number => written;

/** The lines logged since `mark` (the latest KEPT at most). */
export function loggedSince(mark: number): string[] {
  return lines.slice(Math.max(0, lines.length - (written - mark)));
}
