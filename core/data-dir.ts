/**
 * DATA_DIR holds the generated secrets, the embedded database and a managed Redis's data: it
 * is its owner's alone (0700), as PostgreSQL insists of its data directory. PGlite writes some
 * catalog files world-writable, so the directory is what keeps other local users out.
 */
import fs from 'node:fs';

/** Creates `dir` (and its parents) if need be, and makes it private to this user. */
export function privateDataDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    fs.chmodSync(dir, 0o700);
  } catch (err) {
    // Another user's directory (a mounted volume): not ours to change; its owner decides.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}
