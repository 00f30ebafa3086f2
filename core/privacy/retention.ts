/**
 * Retention, run daily: what outlived its period goes. Chats untouched for
 * `RETENTION_DAYS_CHATS` (unset: kept; not while a lawyer review of them is open; finished
 * reviews of a deleted chat go with it), spent or expired refresh tokens, expired exports (the
 * archive deleted from storage), and idempotency keys past their day. The audit trail is
 * never deleted: see core/audit-archive.ts.
 */
import type { Knex } from 'knex';
import type { Storage } from '../storage/index.js';

export interface RetentionReport {
  chats: number;
  refresh_tokens: number;
  exports: number;
  idempotency_keys: number;
}

/** Spent tokens are kept a little while (reuse detection needs them), then dropped. */
const SPENT_TOKEN_DAYS = 30;
const IDEMPOTENCY_HOURS = 24;

export async function applyRetention(deps: { db: Knex; storage: Storage }, chatDays: number | undefined): Promise<RetentionReport> {
  const { db } = deps;
  let chats = 0;
  if (chatDays !== undefined) {
    // A chat under an open lawyer review waits until the review is over.
    const due = (q: Knex.QueryBuilder) => q.where('c.updated_at', '<', db.raw(`now() - make_interval(days => ?)`, [chatDays]))
      .whereNotExists((r) => r.select(db.raw('1')).from('lawyer_reviews as r').join('messages as m', 'm.id', 'r.message_id')
        .whereRaw('m.chat_id = c.id').whereIn('r.status', ['pending', 'assigned', 'in_progress']));
    const old: string[] = await db('chats as c').modify(due).pluck('c.id');
    for (let i = 0; i < old.length; i += 500) {
      await db.transaction(async (trx) => {
        // Locked, then checked again by a statement that sees what committed meanwhile: a
        // question admitted or a review requested since the listing keeps its chat (both take
        // the chat's row lock, so none can start while the batch is deleted).
        const locked = await trx('chats').whereIn('id', old.slice(i, i + 500)).forUpdate().pluck('id');
        const gone: string[] = await trx('chats as c').whereIn('c.id', locked).modify(due).delete().returning('c.id').then((rows) => rows.map((r: { id: string }) => r.id));
        await trx('pii_vaults').where({ scope_type: 'chat' }).whereIn('scope_id', gone).delete();
        chats += gone.length;
      });
    }
  }
  const refresh_tokens = await db('refresh_tokens')
    .where((q) => q.where('expires_at', '<', db.fn.now()).orWhere('used_at', '<', db.raw(`now() - make_interval(days => ?)`, [SPENT_TOKEN_DAYS]))
      .orWhere('revoked_at', '<', db.raw(`now() - make_interval(days => ?)`, [SPENT_TOKEN_DAYS])))
    .delete();
  const expired = await db('privacy_requests').whereNotNull('storage_key').where('expires_at', '<', db.fn.now()).select('id', 'storage_key');
  for (const e of expired) {
    await deps.storage.delete(e.storage_key);
    await db('privacy_requests').where({ id: e.id }).update({ storage_key: null, sealed_key: null });
  }
  const idempotency_keys = await db('idempotency_keys').where('created_at', '<', db.raw(`now() - make_interval(hours => ?)`, [IDEMPOTENCY_HOURS])).delete();
  return { chats, refresh_tokens, exports: expired.length, idempotency_keys };
}
