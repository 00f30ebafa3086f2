/**
 * `chat:join {chat_id, after_seq?, attempt?}` and `chat:leave {chat_id}`. Joining follows a
 * chat's events; with `after_seq` it also replays what the client missed of each reply in
 * flight (or just finished): `reply.started`, the deltas after `after_seq` and the outcome.
 * `attempt` is the attempt the client's `after_seq` belongs to (default 1): a client that
 * saw an older attempt gets the current one from seq 1. Someone else's chat is `not_found`.
 */
import type { RedisClient } from '../../core/redis.js';
import type { Socket } from 'socket.io';
import { z } from 'zod';
import { ownChat } from '../../core/chat/chats.js';
import { missedReplyEvents } from '../../core/chat/replay.js';
import type { User } from '../../core/db/models/index.js';
import { DomainError } from '../../core/errors.js';
import { chatRoom } from '../../core/rooms.js';
import type { Ack, SocketHandler } from './gateway.js';

const joinSchema = z.strictObject({
  chat_id: z.uuid(),
  after_seq: z.number().int().min(0).optional(),
  attempt: z.number().int().min(1).optional(),
});
const leaveSchema = z.strictObject({ chat_id: z.uuid() });

export function createChatHandlers(deps: { redis: RedisClient; prefix: string }): Record<string, SocketHandler> {
  const invalid = (ack: Ack) => ack({ ok: false, error: { code: 'validation_failed' } });
  return {
    async 'chat:join'(socket: Socket, user: User, payload: unknown, ack: Ack) {
      const parsed = joinSchema.safeParse(payload);
      if (!parsed.success) return invalid(ack);
      const { chat_id, after_seq, attempt } = parsed.data;
      try {
        await ownChat(user.id, chat_id);
      } catch (err) {
        if (err instanceof DomainError) return ack({ ok: false, error: { code: err.code } });
        throw err;
      }
      // Join first, then read: whatever is emitted meanwhile arrives live or in the replay
      // (clients drop a delta whose seq they already have).
      await socket.join(chatRoom(chat_id));
      if (after_seq !== undefined) {
        for (const e of await missedReplyEvents(deps.redis, deps.prefix, chat_id, after_seq, attempt ?? 1)) socket.emit(e.event, e.data);
      }
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
