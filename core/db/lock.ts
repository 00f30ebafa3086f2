/**
 * DATA_DIR/pglite.lock: names the one process that owns the embedded database directory
 * and, once it serves it, the directory of its PostgreSQL socket (see core/db/embedded.ts).
 */
import fs from 'node:fs';

export interface LockRecord {
  pid: number;
  /** How the owner was started, for the refusal message: "npm start", "npm run cli". */
  command: string;
  /** Directory holding `.s.PGSQL.5432`, set once the owner listens. */
  socketDir?: string;
}

export interface HeldLock {
  /** Records where the owner listens, replacing the file atomically. */
  publish(socketDir: string): void;
  release(): void;
}

type LockAttempt = { held: HeldLock } | { owner: LockRecord };

function isAlive(pid: number): boolean {
  // A lock naming this very process is a leftover: containers hand out the same pids on every run.
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The file's text, or undefined once it is gone. */
function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parse(text: string | undefined): LockRecord | undefined {
  try {
    const record = JSON.parse(text ?? '') as LockRecord;
    return Number.isInteger(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Creates the lock with O_EXCL, or answers the live owner. A lock whose process is gone is
 * taken over. Synchronous: it runs before anything else touches the directory.
 */
export function tryLock(file: string, record: LockRecord): LockAttempt {
  const text = () => `${JSON.stringify(record)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, text(), { flag: 'wx', mode: 0o600 });
      return { held: hold(file, record, text) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const before = readText(file);
    if (before === undefined) continue;
    const owner = parse(before);
    if (owner && isAlive(owner.pid)) return { owner };
    // Unreadable: its writer may be between open and write; after 1 s it is a leftover.
    if (!owner && attempt < 20) {
      sleep(50);
      continue;
    }
    // Remove only the leftover we judged, not a lock another process has just created.
    if (readText(file) === before) fs.rmSync(file, { force: true });
  }
}

function hold(file: string, record: LockRecord, text: () => string): HeldLock {
  const ours = () => parse(readText(file))?.pid === process.pid;
  // process.exit() (a CLI's one-line failure) skips every async clean-up: drop the lock anyway.
  const onExit = () => {
    if (ours()) fs.rmSync(file, { force: true });
  };
  process.on('exit', onExit);
  return {
    publish(socketDir) {
      record.socketDir = socketDir;
      const tmp = `${file}.${process.pid}`;
      fs.writeFileSync(tmp, text(), { mode: 0o600 });
      fs.renameSync(tmp, file);
    },
    release() {
      process.off('exit', onExit);
      onExit();
    },
  };
}
