/**
 * The masking stage of a chat reply: opens the sealed text, masks it with the chat's
 * registry and stores only the masked text. Idempotent: a rerun after the commit finds the
 * message masked and only announces it again.
 */
import type { Emitter } from '@socket.io/redis-emitter';
import type { Db } from '../db/knex.js';
import { Message } from '../db/models/index.js';
import { Vault } from '../dlp/index.js';
import { maskChatText } from './masking.js';
import { toPublicMessage } from './messages.js';
import { lockChatRegistry, saveChatRegistry } from './pii-vault.js';
import { chatRoom, userRoom } from '../rooms.js';
import type { Sealer } from './seal.js';

export interface MaskDeps {
  db: Db;
  emitter: Emitter;
  sealer: Sealer;
  encryptionKey: Buffer;
}

export async function maskUserMessage(deps: MaskDeps, p: { message_id: string; chat_id: string; user_id: string; sealed: string }) {
  const existing = await Message.query().findById(p.message_id);
  if (!existing) return { skipped: 'message gone' };
  let message = existing;
  if (existing.status === 'pending') {
    const text = deps.sealer.open(p.sealed, p.message_id);
    const vault = new Vault(deps.encryptionKey);
    message = await deps.db.transaction(async (trx) => {
      const registry = await lockChatRegistry(trx, vault, p.chat_id);
      const { masked, byType, count } = maskChatText(text, registry);
      await saveChatRegistry(trx, vault, p.chat_id, registry);
      const [row] = await trx('messages')
        .where({ id: p.message_id, status: 'pending' })
        .update({ content: masked, status: 'completed', meta: JSON.stringify({ pii: { count, by_type: byType } }), updated_at: trx.fn.now() })
        .returning('*');
      return (row as Message | undefined) ?? (await Message.query(trx).findById(p.message_id))!;
    });
  }
  deps.emitter.to([chatRoom(p.chat_id), userRoom(p.user_id)]).emit('message.created', { chat_id: p.chat_id, message: toPublicMessage(message) });
  return { masked: true };
}
