/**
 * The masking stage of a chat reply: opens the sealed text, masks it with the chat's
 * registry and stores only the masked text. Idempotent: a rerun after the commit finds the
 * message masked and only announces it again. The announcement is the masked question and
 * then its reply as it stands (queued): every tab and device following the chat learns of both
 * and can show the answer as it streams, not only the tab that asked. An untitled chat takes
 * its title from the first question masked, in the same statement.
 */
import type { Emitter } from '../emitter.js';
import type { Db } from '../db/knex.js';
import type { Message } from '../db/models/index.js';
import { rawPrepared } from '../db/prepared.js';
import { PlaceholderRegistry, Vault } from '../dlp/index.js';
import { DEFAULT_CHAT_TITLE, titleFromQuestion } from './chats.js';
import { applyMaskPlan, planChatMasks } from './masking.js';
import { toPublicMessage } from './messages.js';
import { guardedSaveRegistryCtes, readRegistryVersion } from '../pii-vault.js';
import { accountSecret } from '../privacy/keys.js';
import { chatRoom, userRoom } from '../rooms.js';
import type { Sealer } from './seal.js';

export interface MaskDeps {
  db: Db;
  emitter: Emitter;
  sealer: Sealer;
  encryptionKey: Buffer;
}

/** How often masking is redone when other messages of the chat keep saving its registry first. */
const REGISTRY_RACES = 5;

export async function maskUserMessage(deps: MaskDeps, p: { message_id: string; reply_id: string; chat_id: string; user_id: string; sealed: string }) {
  // Sealed with the account's key: an erased account's question opens no more.
  const secret = await accountSecret(deps.db, p.user_id);
  if (!secret) return { skipped: 'account gone' };
  const text = deps.sealer.open(p.sealed, p.message_id, secret);
  const vault = new Vault(deps.encryptionKey);
  const [plan] = await planChatMasks([text]);
  const scope = { type: 'chat', id: p.chat_id, owner: p.user_id } as const;
  // At most two more statements and no transaction: the chat's registry is read, the text masked
  // with it, and one statement stores the masked text with the registry, only if the registry
  // is still the one read (another message of the chat may have saved it meanwhile: then read
  // and mask again). The registry is saved only with the message: values of a question that is no
  // longer pending (failed, or masked by an earlier run) are not added to the vault.
  for (let race = 1; ; race++) {
    // A question with nothing to mask (most of them) needs no registry: it is neither read nor
    // saved, and the question is stored in one statement.
    const read = plan!.values.length > 0 ? await readRegistryVersion(deps.db, vault, scope) : undefined;
    const { masked, byType, count } = applyMaskPlan(plan!, read?.registry ?? new PlaceholderRegistry());
    const registry = read && guardedSaveRegistryCtes(scope, read.registry, read.version, 'EXISTS (SELECT 1 FROM masked)');
    const current = registry ? 'EXISTS (SELECT 1 FROM registry_guard)' : 'true';
    const { rows } = await rawPrepared<{ rows: Array<Message & { registry_current: boolean; reply_row: Message | null }> }>(
      deps.db,
      `WITH ${registry ? `${registry.guard.sql}, ` : ''}masked AS (UPDATE messages SET content = ?, status = 'completed', meta = ?::jsonb, updated_at = now()
         WHERE id = ? AND status = 'pending' AND ${current} RETURNING *)${registry ? `, ${registry.save.sql}` : ''},
       titled AS (UPDATE chats SET title = ? WHERE id = ? AND title = ? AND EXISTS (SELECT 1 FROM masked))
       SELECT ${current} AS registry_current, (SELECT to_jsonb(r) FROM messages r WHERE r.id = ?) AS reply_row, masked.*
       FROM (SELECT 1) AS one LEFT JOIN masked ON true`,
      [
        ...(registry?.guard.bindings ?? []), masked, JSON.stringify({ pii: { count, by_type: byType } }), p.message_id, ...(registry?.save.bindings ?? []),
        titleFromQuestion(masked), p.chat_id, DEFAULT_CHAT_TITLE, p.reply_id,
      ],
    );
    const { reply_row: replyRow, ...row } = rows[0]!;
    if (!row.id && !row.registry_current) {
      if (race < REGISTRY_RACES) continue;
      throw new Error('the chat registry kept changing while this message was masked');
    }
    // Stored now, or not pending any more: a rerun (or a question failed meanwhile) finds the message as it is.
    const message = row.id ? row : ((await deps.db('messages').where({ id: p.message_id }).first()) as Message | undefined);
    if (!message) return { skipped: 'message gone' };
    const rooms = deps.emitter.to([chatRoom(p.chat_id), userRoom(p.user_id)]);
    rooms.emit('message.created', { chat_id: p.chat_id, message: toPublicMessage(message) });
    if (replyRow) rooms.emit('message.created', { chat_id: p.chat_id, message: toPublicMessage(replyRow) });
    return { masked: true };
  }
}
