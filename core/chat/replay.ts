/**
 * What a client that reconnects has missed of a chat's replies: for each reply in flight or
 * just finished, `reply.started`, the deltas after the client's `after_seq` and the outcome,
 * read back from the reply's stream (the outcome from the stored reply when the stream has
 * none). A client that saw an older attempt gets the current one from seq 1.
 */
import type { RedisClient } from '../redis.js';
import { Message } from '../db/models/index.js';
import { toPublicMessage } from './messages.js';
import { DONE_TTL_SECONDS, readReplyEvents, type ReplyEvent } from './reply-stream.js';

export async function missedReplyEvents(redis: RedisClient, prefix: string, chatId: string, afterSeq: number, clientAttempt: number): Promise<ReplyEvent[]> {
  const recent = new Date(Date.now() - DONE_TTL_SECONDS * 1000);
  const replies = await Message.query()
    .where({ chat_id: chatId, sender: 'assistant' })
    .where((q) => q.whereIn('status', ['queued', 'streaming']).orWhere('updated_at', '>', recent))
    .orderBy('created_at');
  const missed: ReplyEvent[] = [];
  for (const reply of replies) {
    const events = await readReplyEvents(redis, prefix, reply.id);
    const current = events.find((e) => e.event === 'reply.started')?.data.attempt;
    const from = current === clientAttempt ? afterSeq : 0;
    missed.push(...events.filter((e) => e.event !== 'reply.delta' || (e.data.seq ?? 0) > from));
    // Ended where no attempt's stream records it (swept, blocked, stopped while queued, or a
    // crash between the commit and the announcement): the outcome comes from the row.
    if (!events.some((e) => e.event === 'reply.completed' || e.event === 'reply.failed')) {
      const ended = endedEvent(chatId, reply);
      if (ended) missed.push(ended);
    }
  }
  return missed;
}

/** How a reply that has ended is announced: the stored message, or the failure's error; undefined while open. */
export function endedEvent(chatId: string, reply: Message): ReplyEvent | undefined {
  if (reply.status === 'completed') return { event: 'reply.completed', data: { chat_id: chatId, message: toPublicMessage(reply) } };
  if (reply.status === 'failed') return { event: 'reply.failed', data: { chat_id: chatId, message_id: reply.id, error: reply.meta.error } };
  return undefined;
}
