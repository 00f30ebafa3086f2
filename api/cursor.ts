/** Opaque keyset cursors: base64url JSON of the last row's sort key. A bad cursor is a 400. */
import { z } from 'zod';
import { problems } from '../core/http/problem.js';

const cursorSchema = z.object({ t: z.iso.datetime({ offset: true }), id: z.uuid() });
export type Cursor = z.infer<typeof cursorSchema>;

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeCursor(raw: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw problems.badRequest('invalid cursor', 'validation_failed');
  }
}

/** The cursor that points just past `row` in (created_at, id) order. */
export const cursorOf = (row: { id: string; created_at: Date }): Cursor => ({ t: new Date(row.created_at).toISOString(), id: row.id });

/**
 * One keyset page: fetches one row more than `limit` to learn whether a next page exists,
 * and answers the contract's `{items, next_cursor}`.
 */
export async function keysetPage<T extends { id: string; created_at: Date }>(
  limit: number,
  after: Cursor | undefined,
  fetch: (after: Cursor | undefined, limit: number) => PromiseLike<T[]>,
): Promise<{ items: T[]; next_cursor: string | null }> {
  const rows = await fetch(after, limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
