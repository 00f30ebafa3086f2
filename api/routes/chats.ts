/**
 * Chats and messages. The edge validates and answers; the chat services in core/chat/ admit,
 * write and hand over to the reply pipeline (the API never stores raw text and never calls a
 * provider).
 */
import { z } from 'zod';
import { askQuestion, type ReplyHandOver } from '../../core/chat/ask.js';
import { archiveChat, createChat, ownChat } from '../../core/chat/chats.js';
import { ownDocuments } from '../../core/documents/documents.js';
import type { FairUseLimits } from '../../core/chat/fair-use.js';
import { toPublicMessage } from '../../core/chat/messages.js';
import { requestReplyStop } from '../../core/chat/reply-stop.js';
import type { Sealer } from '../../core/chat/seal.js';
import type { Db } from '../../core/db/knex.js';
import type { ReadRouting } from '../../core/db/read-routing.js';
import { Chat, Message } from '../../core/db/models/index.js';
import { createEmitter } from '../../core/emitter.js';
import type { RedisClient } from '../../core/redis.js';
import { enqueueChatReply } from '../../pipelines/chat-reply.js';
import type { Queues } from '../../pipelines/queues.js';
import { cursorOf, decodeCursor, keysetPage } from '../cursor.js';
import { IDEMPOTENCY_HEADER, type Idempotent } from '../idempotency.js';
import { problems } from '../problem.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { chatParams, chatSchema, createChatBody, messageParams, messageSchema, postMessageBody, postMessageResponse, stopReplyResponse } from '../schemas/chat.js';
import { page, pageQuery } from '../schemas/common.js';

export interface ChatRouteDeps {
  db: Db;
  /** List and search reads: the replica, or the writer right after this user's own write. */
  reads: ReadRouting;
  queues: Queues;
  /** Stop requests travel to the worker streaming the reply through Redis. */
  redis: RedisClient;
  sealer: Sealer;
  encryptionKey: Buffer;
  idempotent: Idempotent;
  limits: FairUseLimits;
  replyAttempts: number;
}

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

export function chatRoutes(deps: ChatRouteDeps): AnyRoute[] {
  const stopDeps = { db: deps.db, redis: deps.redis, emitter: createEmitter(deps.redis, deps.queues.prefix), prefix: deps.queues.prefix };
  return [
    defineRoute({
      method: 'get', path: '/api/chats', summary: "The caller's chats, newest first", tags: ['chats'], access: 'user',
      query: pageQuery.extend({ status: z.enum(['active', 'archived']).default('active') }),
      responses: { 200: { description: 'Chats', schema: page(chatSchema) }, 400: errors[400], 401: errors[401] },
      async handler(ctx, { query }) {
        const userId = ctx.state.user.id;
        const result = await deps.reads.read(userId, (db) =>
          keysetPage(Chat.query(db).where({ user_id: userId, status: query.status }), { limit: query.limit, after: decodeCursor(query.cursor), order: 'desc' }));
        ctx.body = { items: result.items.map(toPublicChat), next_cursor: result.next_cursor };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/chats', summary: 'Start a chat', tags: ['chats'], access: 'user',
      body: createChatBody, headers: [IDEMPOTENCY_HEADER],
      responses: {
        201: { description: 'The chat', schema: chatSchema },
        401: errors[401], 404: { description: 'A document in `document_ids` is not yours' }, 409: { description: 'Idempotency-Key in use' }, 422: { description: 'Invalid body or reused Idempotency-Key' },
      },
      async handler(ctx, { body }) {
        const userId = ctx.state.user.id;
        await deps.idempotent(ctx, userId, body, async () => {
          const chat = await createChat({ db: deps.db, encryptionKey: deps.encryptionKey }, userId, body);
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
        await archiveChat(ctx.state.user.id, params.chat_id);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'get', path: '/api/chats/:chat_id/messages', summary: 'Messages, oldest first', tags: ['chats'], access: 'user',
      params: chatParams,
      query: pageQuery.extend({ after: z.uuid().optional() }),
      responses: { 200: { description: 'Messages (stored masked)', schema: page(messageSchema) }, ...errors },
      async handler(ctx, { params, query }) {
        const result = await deps.reads.read(ctx.state.user.id, async (db) => {
          const chat = await ownChat(ctx.state.user.id, params.chat_id, db);
          let after = decodeCursor(query.cursor);
          if (query.after) {
            const anchor = await Message.query(db).findOne({ id: query.after, chat_id: chat.id });
            if (!anchor) throw problems.badRequest('`after` is not a message of this chat', 'validation_failed');
            after = cursorOf(anchor);
          }
          return keysetPage(Message.query(db).where({ chat_id: chat.id }), { limit: query.limit, after, order: 'asc' });
        });
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
        const ask = {
          db: deps.db, sealer: deps.sealer, limits: deps.limits, log: ctx.state.log,
          enqueueReply: (h: ReplyHandOver) => enqueueChatReply(deps.queues, h, h.sealed, deps.replyAttempts),
        };
        await deps.idempotent(ctx, userId, body, async () => {
          // Another's document is refused before anything is written; the links come with the question.
          if (body.document_ids?.length) await ownDocuments(deps.db, userId, body.document_ids);
          const { message, reply } = await askQuestion(ask, userId, params.chat_id, body.content, body.document_ids);
          return { status: 202, body: { message: toPublicMessage(message), reply: { id: reply.id, status: 'queued' as const } } };
        });
      },
    }),
    defineRoute({
      method: 'post', path: '/api/chats/:chat_id/messages/:message_id/stop', summary: 'Stop a reply that is queued or streaming', tags: ['chats'], access: 'user',
      params: messageParams,
      responses: {
        202: {
          description: 'Stopping (asking again while it stops is harmless): the reply as it is now. It ends `completed` with `meta.stopped: true` and '
            + 'exactly the text streamed so far (empty when it had not started), announced by `reply.completed`; the provider call is aborted',
          schema: stopReplyResponse,
        },
        400: errors[400], 401: errors[401],
        404: { description: 'No such chat for this user, or no such message in it' },
        409: { description: 'The reply has already ended (completed, stopped or failed)' },
        422: { description: 'The message is not an assistant reply (`not_a_reply`)' },
      },
      async handler(ctx, { params }) {
        const message = await requestReplyStop(stopDeps, ctx.state.user.id, params.chat_id, params.message_id);
        ctx.status = 202;
        ctx.body = { message };
      },
    }),
  ];
}
