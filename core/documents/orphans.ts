/**
 * Objects under `documents/` that no row names. An upload is stored before its row commits, and
 * a masked export before its row points at it: a process that dies between the two leaves an
 * object behind (and the local store a temp file, when it dies mid-write). Its data key was
 * sealed only in the row that never committed, so no one can open it; it only takes space. The
 * daily sweep deletes such objects once they are older than the grace, which no upload or
 * export still committing comes near.
 */
import type { Knex } from 'knex';
import type { Logger } from '../log.js';
import type { Storage, StoredObject } from '../storage/index.js';

const PREFIX = 'documents/';
const PAGE = 500;
/** An object younger than this may belong to an upload or an export still committing. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

export interface OrphanSweep {
  /** Objects under the prefix older than the cutoff, looked up. */
  checked: number;
  removed: number;
}

/** `documents/<document id>/...` → the document id (undefined for a key of another shape). */
const documentIdOf = (key: string) => /^documents\/([0-9a-f-]{36})\//.exec(key)?.[1];

/** Deletes the objects under `documents/` older than `olderThan` that no version or masked export names. */
export async function sweepOrphanObjects(deps: { db: Knex; storage: Storage; log: Logger }, olderThan: Date): Promise<OrphanSweep> {
  const result: OrphanSweep = { checked: 0, removed: 0 };
  let page: StoredObject[] = [];
  const settle = async () => {
    result.checked += page.length;
    result.removed += await removeUnnamed(deps, page);
    page = [];
  };
  for await (const object of deps.storage.list(PREFIX)) {
    if (object.modifiedAt >= olderThan) continue;
    page.push(object);
    if (page.length >= PAGE) await settle();
  }
  await settle();
  if (result.removed) deps.log.warn(result, 'storage swept: objects no document names were deleted');
  return result;
}

async function removeUnnamed(deps: { db: Knex; storage: Storage; log: Logger }, objects: StoredObject[]): Promise<number> {
  if (!objects.length) return 0;
  // Looked up by document (indexed), not by key: the keys a document's rows name.
  const ids = [...new Set(objects.map((o) => documentIdOf(o.key)).filter((id): id is string => id !== undefined))];
  const named = new Set<string>(ids.length ? (await deps.db.raw(
    `SELECT storage_key AS key FROM document_versions WHERE document_id = ANY(?::uuid[])
     UNION ALL SELECT masked_key FROM documents WHERE id = ANY(?::uuid[]) AND masked_key IS NOT NULL`,
    [ids, ids],
  )).rows.map((r: { key: string }) => r.key) : []);
  let removed = 0;
  for (const { key } of objects) {
    // A key of another shape is not ours to judge: left alone.
    if (!documentIdOf(key) || named.has(key)) continue;
    await deps.storage.delete(key);
    removed++;
  }
  return removed;
}
