/**
 * `chat:join {chat_id, after_seq?, attempt?}` and `chat:leave {chat_id}`. Joining follows a
 * chat's events; with `after_seq` it also replays what the client missed of each reply in
 * flight (or just finished): `reply.started`, the deltas after `after_seq` and the outcome.
 * `attempt` is the attempt the client's `after_seq` belongs to (default 1): a client that
 * saw an older attempt gets the current one from seq 1. Someone else's chat is `not_found`.
 */
import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import { z } from 'zod';
import { DONE_TTL_SECONDS, readReplyEvents } from '../../core/chat/reply-stream.js';
import { chatRoom } from '../../core/rooms.js';
import { Chat, Message, type User } from '../../core/db/models/index.js';
import type { Ack, SocketHandler } from './gateway.js';

const joinSchema = z.object({
  chat_id: z.uuid(),
  after_seq: z.number().int().min(0).optional(),
  attempt: z.number().int().min(1).optional(),
});
const leaveSchema = z.object({ chat_id: z.uuid() });

async function replay(socket: Socket, redis: Redis, prefix: string, chatId: string, afterSeq: number, clientAttempt: number) {
  const recent = new Date(Date.now() - DONE_TTL_SECONDS * 1000);
  const replies = await Message.query()
    .where({ chat_id: chatId, sender: 'assistant' })
    .where((q) => q.whereIn('status', ['queued', 'streaming']).orWhere('updated_at', '>', recent))
    .orderBy('created_at')
    .select('id');
  for (const { id } of replies) {
    const events = await readReplyEvents(redis, prefix, id);
    const current = events.find((e) => e.event === 'reply.started')?.data.attempt;
    const from = current === clientAttempt ? afterSeq : 0;
    for (const e of events) {
      if (e.event === 'reply.delta' && (e.data.seq ?? 0) <= from) continue;
      socket.emit(e.event, e.data);
    }
  }
}

export function createChatHandlers(deps: { redis: Redis; prefix: string }): Record<string, SocketHandler> {
  const invalid = (ack: Ack) => ack({ ok: false, error: { code: 'validation_failed' } });
  return {
    async 'chat:join'(socket: Socket, user: User, payload: unknown, ack: Ack) {
      const parsed = joinSchema.safeParse(payload);
      if (!parsed.success) return invalid(ack);
      const { chat_id, after_seq, attempt } = parsed.data;
      const chat = await Chat.query().findOne({ id: chat_id, user_id: user.id });
      if (!chat) return ack({ ok: false, error: { code: 'not_found' } });
      // Join first, then read: whatever is emitted meanwhile arrives live or in the replay
      // (clients drop a delta whose seq they already have).
      await socket.join(chatRoom(chat_id));
      if (after_seq !== undefined) await replay(socket, deps.redis, deps.prefix, chat_id, after_seq, attempt ?? 1);
      ack({ ok: true });
    },
    async 'chat:leave'(socket: Socket, _user: User, payload: unknown, ack: Ack) {
      const parsed = leaveSchema.safeParse(payload);
      if (!parsed.success) return invalid(ack);
      await socket.leave(chatRoom(parsed.data.chat_id));
      ack({ ok: true });
    },
  };
}
