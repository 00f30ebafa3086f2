/**
 * The masking stage of a chat reply: opens the sealed text, masks it with the chat's
 * registry and stores only the masked text. Idempotent: a rerun after the commit finds the
 * message masked and only announces it again.
 */
import type { Emitter } from '../emitter.js';
import type { Db } from '../db/knex.js';
import type { Message } from '../db/models/index.js';
import { Vault } from '../dlp/index.js';
import { applyMaskPlan, planChatMasks } from './masking.js';
import { toPublicMessage } from './messages.js';
import { lockRegistry, saveRegistryCte } from '../pii-vault.js';
import { chatRoom, userRoom } from '../rooms.js';
import type { Sealer } from './seal.js';

export interface MaskDeps {
  db: Db;
  emitter: Emitter;
  sealer: Sealer;
  encryptionKey: Buffer;
}

export async function maskUserMessage(deps: MaskDeps, p: { message_id: string; chat_id: string; user_id: string; sealed: string }) {
  const text = deps.sealer.open(p.sealed, p.message_id);
  const vault = new Vault(deps.encryptionKey);
  const [plan] = await planChatMasks([text]);
  // Masked and stored with the chat's registry in one statement; a rerun (or a question that
  // was failed meanwhile) stores nothing and finds the message as it is.
  const message = await deps.db.transaction(async (trx) => {
    const scope = { type: 'chat', id: p.chat_id, owner: p.user_id } as const;
    const registry = await lockRegistry(trx, vault, scope);
    const { masked, byType, count } = applyMaskPlan(plan!, registry);
    // The registry is saved only with the message: values of a question that is no longer
    // pending (failed, or masked by an earlier run) are not added to the vault.
    const save = saveRegistryCte(scope, registry, 'EXISTS (SELECT 1 FROM masked)');
    const { rows } = await trx.raw(
      `WITH masked AS (UPDATE messages SET content = ?, status = 'completed', meta = ?::jsonb, updated_at = now()
         WHERE id = ? AND status = 'pending' RETURNING *), ${save.sql}
       SELECT * FROM masked`,
      [masked, JSON.stringify({ pii: { count, by_type: byType } }), p.message_id, ...save.bindings],
    );
    return (rows[0] as Message | undefined) ?? ((await trx('messages').where({ id: p.message_id }).first()) as Message | undefined);
  });
  if (!message) return { skipped: 'message gone' };
  deps.emitter.to([chatRoom(p.chat_id), userRoom(p.user_id)]).emit('message.created', { chat_id: p.chat_id, message: toPublicMessage(message) });
  return { masked: true };
}
