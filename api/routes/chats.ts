/**
 * Chats and messages. Posting a message writes two rows (the question, pending, and its
 * reply, queued), commits, then enqueues the reply flow with the raw text sealed: the API
 * never stores it and never calls a provider.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { admitMessage, chatReplies, type FairUseLimits } from '../../core/chat/fair-use.js';
import { toPublicMessage } from '../../core/chat/messages.js';
import type { Sealer } from '../../core/chat/seal.js';
import type { Db } from '../../core/db/knex.js';
import { Chat, Message } from '../../core/db/models/index.js';
import { problems } from '../../core/http/problem.js';
import { enqueueChatReply } from '../../pipelines/chat-reply.js';
import type { Queues } from '../../pipelines/queues.js';
import { cursorOf, decodeCursor, keysetPage } from '../cursor.js';
import { IDEMPOTENCY_HEADER, type Idempotent } from '../idempotency.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { chatParams, chatSchema, createChatBody, messageSchema, postMessageBody, postMessageResponse } from '../schemas/chat.js';
import { page, pageQuery } from '../schemas/common.js';

export interface ChatRouteDeps {
  db: Db;
  queues: Queues;
  sealer: Sealer;
  idempotent: Idempotent;
  limits: FairUseLimits;
  replyAttempts: number;
}

const notFound = () => problems.notFound('no such chat');
const errors = {
  400: { description: 'Bad parameters (problem document)' },
  401: { description: 'Not signed in' },
  404: { description: 'No such chat for this user' },
};

const toPublicChat = (c: Chat) => ({
  id: c.id,
  title: c.title,
  type: c.type,
  status: c.status,
  created_at: new Date(c.created_at).toISOString(),
  updated_at: new Date(c.updated_at).toISOString(),
});

/** The caller's chat, or 404 (another user's chat is indistinguishable from none). */
async function ownChat(userId: string, chatId: string): Promise<Chat> {
  const chat = await Chat.query().findOne({ id: chatId, user_id: userId });
  if (!chat) throw notFound();
  return chat;
}

export function chatRoutes(deps: ChatRouteDeps): AnyRoute[] {
  const { db } = deps;
  return [
    defineRoute({
      method: 'get', path: '/api/chats', summary: "The caller's chats, newest first", tags: ['chats'], access: 'user',
      query: pageQuery.extend({ status: z.enum(['active', 'archived']).default('active') }),
      responses: { 200: { description: 'Chats', schema: page(chatSchema) }, 400: errors[400], 401: errors[401] },
      async handler(ctx, { query }) {
        const chats = Chat.query().where({ user_id: ctx.state.user.id, status: query.status });
        const result = await keysetPage(chats, { limit: query.limit, after: decodeCursor(query.cursor), order: 'desc' });
        ctx.body = { items: result.items.map(toPublicChat), next_cursor: result.next_cursor };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/chats', summary: 'Start a chat', tags: ['chats'], access: 'user',
      body: createChatBody, headers: [IDEMPOTENCY_HEADER],
      responses: {
        201: { description: 'The chat', schema: chatSchema },
        401: errors[401], 409: { description: 'Idempotency-Key in use' }, 422: { description: 'Invalid body or reused Idempotency-Key' },
      },
      async handler(ctx, { body }) {
        const userId = ctx.state.user.id;
        await deps.idempotent(ctx, userId, body, async () => {
          const now = new Date(); // millisecond precision keeps keyset cursors exact
          const chat = await Chat.query().insertAndFetch({ user_id: userId, title: body.title ?? 'Новый чат', type: body.type ?? 'general', created_at: now, updated_at: now });
          return { status: 201, body: toPublicChat(chat) };
        });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/chats/:chat_id', summary: 'One chat', tags: ['chats'], access: 'user',
      params: chatParams,
      responses: { 200: { description: 'The chat', schema: chatSchema }, ...errors },
      async handler(ctx, { params }) {
        ctx.body = toPublicChat(await ownChat(ctx.state.user.id, params.chat_id));
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/chats/:chat_id', summary: 'Archive a chat (its messages are kept)', tags: ['chats'], access: 'user',
      params: chatParams,
      responses: { 204: { description: 'Archived' }, ...errors },
      async handler(ctx, { params }) {
        const chat = await ownChat(ctx.state.user.id, params.chat_id);
        if (chat.status !== 'archived') await chat.$query().patch({ status: 'archived' });
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'get', path: '/api/chats/:chat_id/messages', summary: 'Messages, oldest first', tags: ['chats'], access: 'user',
      params: chatParams,
      query: pageQuery.extend({ after: z.uuid().optional() }),
      responses: { 200: { description: 'Messages (stored masked)', schema: page(messageSchema) }, ...errors },
      async handler(ctx, { params, query }) {
        const chat = await ownChat(ctx.state.user.id, params.chat_id);
        let after = decodeCursor(query.cursor);
        if (query.after) {
          const anchor = await Message.query().findOne({ id: query.after, chat_id: chat.id });
          if (!anchor) throw problems.badRequest('`after` is not a message of this chat', 'validation_failed');
          after = cursorOf(anchor);
        }
        const result = await keysetPage(Message.query().where({ chat_id: chat.id }), { limit: query.limit, after, order: 'asc' });
        ctx.body = { items: result.items.map(toPublicMessage), next_cursor: result.next_cursor };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/chats/:chat_id/messages', summary: 'Ask a question; the reply streams over Socket.IO', tags: ['chats'], access: 'user',
      params: chatParams, body: postMessageBody, headers: [IDEMPOTENCY_HEADER],
      responses: {
        202: { description: 'Accepted: the question (pending until masked) and the reply to follow', schema: postMessageResponse },
        ...errors,
        409: { description: 'The chat is archived, or the Idempotency-Key is in use' },
        422: { description: 'Invalid body or reused Idempotency-Key' },
        429: { description: '`rate_limited` (replies in flight) or `quota_exceeded` (daily quota), with Retry-After' },
        503: { description: 'The reply could not be queued' },
      },
      async handler(ctx, { params, body }) {
        const userId = ctx.state.user.id;
        const chat = await ownChat(userId, params.chat_id);
        if (chat.status === 'archived') throw problems.conflict('the chat is archived');
        await deps.idempotent(ctx, userId, body, async () => {
          const { message, reply } = await db.transaction(async (trx) => {
            await admitMessage(trx, userId, deps.limits, chatReplies(deps.limits.stuckAfterSeconds));
            // Millisecond timestamps keep keyset cursors exact; the reply sorts right after its question.
            // The question's id is chosen here so that both rows go in one statement.
            const at = new Date();
            const questionId = randomUUID();
            const row = (sender: string, status: string, offsetMs: number) => ({
              chat_id: chat.id, user_id: userId, sender, status, created_at: new Date(at.getTime() + offsetMs), updated_at: at,
            });
            const rows: Message[] = await trx('messages')
              .insert([{ ...row('user', 'pending', 0), id: questionId, reply_to: null }, { ...row('assistant', 'queued', 1), reply_to: questionId }])
              .returning('*');
            await trx('chats').where({ id: chat.id }).update({ updated_at: trx.fn.now() });
            return { message: rows.find((r) => r.id === questionId)!, reply: rows.find((r) => r.id !== questionId)! };
          });
          // Enqueued only after the commit; the job ids come from the message ids.
          const ids = { messageId: message.id, replyId: reply.id, chatId: chat.id, userId };
          try {
            await enqueueChatReply(deps.queues, ids, deps.sealer.seal(body.content, message.id), deps.replyAttempts);
          } catch (err) {
            ctx.state.log.error({ err: (err as Error).message }, 'could not enqueue a chat reply');
            await db('messages').whereIn('id', [message.id, reply.id]).update({ status: 'failed', updated_at: db.fn.now() });
            throw problems.unavailable('the reply could not be queued; try again');
          }
          return { status: 202, body: { message: toPublicMessage(message), reply: { id: reply.id, status: 'queued' as const } } };
        });
      },
    }),
  ];
}
