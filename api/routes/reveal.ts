/**
 * The owner's own values behind the placeholders of a chat or a document (`[PERSON_1]` →
 * what they typed), restored from the sealed registry for their eyes only: another user's
 * chat or document is 404, every reveal is audited, and the answer is never cached (no-store,
 * as every API answer).
 */
import { z } from 'zod';
import { audit } from '../../core/audit.js';
import { ownChat } from '../../core/chat/chats.js';
import type { Db } from '../../core/db/knex.js';
import { Vault } from '../../core/dlp/index.js';
import { ownDocument } from '../../core/documents/documents.js';
import { readRegistry, type RegistryScope } from '../../core/pii-vault.js';
import type { AppContext } from '../context.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { chatParams } from '../schemas/chat.js';
import { documentParams } from '../schemas/document.js';

const revealed = z.object({ values: z.record(z.string(), z.string()).describe('placeholder token → the original spelling') });

export function revealRoutes(deps: { db: Db; encryptionKey: Buffer }): AnyRoute[] {
  const vault = new Vault(deps.encryptionKey);
  async function reveal(ctx: AppContext, scope: RegistryScope) {
    const values = (await readRegistry(deps.db, vault, scope)).originalsByToken();
    await audit({ actorId: scope.owner, action: `${scope.type}.revealed`, targetType: scope.type, targetId: scope.id, ip: ctx.ip, meta: { values: Object.keys(values).length } });
    ctx.body = { values };
  }
  return [
    defineRoute({
      method: 'get', path: '/api/chats/:chat_id/reveal', summary: 'My own values behind the placeholders of my chat (audited)', tags: ['chats'], access: 'user',
      params: chatParams,
      responses: { 200: { description: 'Placeholders and what they stand for', schema: revealed } },
      async handler(ctx, { params }) {
        const owner = ctx.state.user.id;
        await ownChat(owner, params.chat_id);
        await reveal(ctx, { type: 'chat', id: params.chat_id, owner });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/documents/:document_id/reveal', summary: 'My own values behind the placeholders of my document (audited)', tags: ['documents'], access: 'user',
      params: documentParams,
      responses: { 200: { description: 'Placeholders and what they stand for', schema: revealed } },
      async handler(ctx, { params }) {
        const owner = ctx.state.user.id;
        await ownDocument(owner, params.document_id);
        await reveal(ctx, { type: 'document', id: params.document_id, owner });
      },
    }),
  ];
}
