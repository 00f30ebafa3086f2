/**
 * Chats of one user. A title is typed by a person, so it is masked like a message, with the
 * chat's own registry: a name in the title and the same name in a question get the same
 * placeholder. The title is short (200 characters), so masking it on the request path costs
 * well under a millisecond.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/knex.js';
import { Chat } from '../db/models/index.js';
import { Vault } from '../dlp/index.js';
import { ownDocuments } from '../documents/documents.js';
import { domainErrors } from '../errors.js';
import { maskInScope } from './masking.js';

export const DEFAULT_CHAT_TITLE = 'Новый чат';
const TITLE_FROM_QUESTION_MAX = 60;

/**
 * The title an untitled chat takes from its first question, as masked (so it holds no personal
 * data): its opening words on one line, cut at a word within 60 characters.
 */
export function titleFromQuestion(masked: string): string {
  const line = masked.replace(/\s+/g, ' ').trim();
  if (line.length <= TITLE_FROM_QUESTION_MAX) return line || DEFAULT_CHAT_TITLE;
  const cut = line.slice(0, TITLE_FROM_QUESTION_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space >= TITLE_FROM_QUESTION_MAX / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:—-]+$/, '')}…`;
}

/** The caller's chat; another user's chat is indistinguishable from none. */
export async function ownChat(userId: string, chatId: string, db?: Db): Promise<Chat> {
  const chat = await Chat.query(db).findOne({ id: chatId, user_id: userId });
  if (!chat) throw domainErrors.notFound('no such chat');
  return chat;
}

/**
 * Adds the caller's documents to a chat's context (they stay there). Another user's, or a
 * deleted, document is `not_found`, and nothing is linked.
 */
export async function linkChatDocuments(db: Db, userId: string, chatId: string, documentIds: string[]): Promise<void> {
  const ids = [...new Set(documentIds)];
  if (!ids.length) return;
  await ownDocuments(db, userId, ids);
  await db('chat_documents').insert(ids.map((document_id) => ({ chat_id: chatId, document_id }))).onConflict(['chat_id', 'document_id']).ignore();
}

export async function createChat(deps: { db: Db; encryptionKey: Buffer }, userId: string, input: { title?: string; type?: string; document_ids?: string[] }): Promise<Chat> {
  const vault = new Vault(deps.encryptionKey);
  return deps.db.transaction(async (trx) => {
    const id = randomUUID();
    let title = DEFAULT_CHAT_TITLE;
    if (input.title) {
      title = (await maskInScope(trx, vault, { type: 'chat', id, owner: userId }, [input.title]))[0]!;
    }
    const now = new Date(); // millisecond precision keeps keyset cursors exact
    const chat = await Chat.query(trx).insertAndFetch({ id, user_id: userId, title, type: input.type ?? 'general', created_at: now, updated_at: now });
    await linkChatDocuments(trx, userId, id, input.document_ids ?? []);
    return chat;
  });
}

export async function archiveChat(userId: string, chatId: string): Promise<void> {
  const chat = await ownChat(userId, chatId);
  if (chat.status !== 'archived') await chat.$query().patch({ status: 'archived' });
}
