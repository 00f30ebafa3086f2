import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, type Storage } from './types.js';

/** Files under DATA_DIR/files; writes go to a temp file first so a crash leaves no half file. */
export function createLocalStorage(dir: string): Storage {
  const file = (key: string) => {
    assertSafeKey(key);
    return path.join(dir, key);
  };
  return {
    kind: 'local',
    async put(key, body, _contentType) {
      const target = file(key);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
      try {
        await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, fs.createWriteStream(tmp, { mode: 0o600 }));
        await fs.promises.rename(tmp, target);
      } catch (err) {
        // A body that failed mid-stream (e.g. an upload refused past its limit) leaves nothing.
        await fs.promises.rm(tmp, { force: true });
        throw err;
      }
    },
    async get(key) {
      const target = file(key);
      await fs.promises.access(target);
      return fs.createReadStream(target);
    },
    async delete(key) {
      await fs.promises.rm(file(key), { force: true });
    },
    async exists(key) {
      return fs.promises.access(file(key)).then(() => true, () => false);
    },
    async *list(prefix) {
      // Under the prefix's directory: a prefix names whole directories here (`documents/`).
      const root = path.join(dir, prefix);
      const entries = await fs.promises.readdir(root, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      });
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const full = path.join(entry.parentPath, entry.name);
        // Gone since the listing (deleted meanwhile): not there to report.
        const stat = await fs.promises.stat(full).catch(() => undefined);
        if (stat) yield { key: path.relative(dir, full).split(path.sep).join('/'), modifiedAt: stat.mtime };
      }
    },
    async check() {
      await fs.promises.mkdir(dir, { recursive: true });
      await fs.promises.access(dir, fs.constants.W_OK);
    },
  };
}
