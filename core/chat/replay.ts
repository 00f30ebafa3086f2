/**
 * What a client that reconnects has missed of a chat's replies: for each reply in flight or
 * just finished, `reply.started`, the deltas after the client's `after_seq` and the outcome,
 * read back from the reply's stream. A client that saw an older attempt gets the current
 * one from seq 1.
 */
import type { RedisClient } from '../redis.js';
import { Message } from '../db/models/index.js';
import { DONE_TTL_SECONDS, readReplyEvents, type ReplyEvent } from './reply-stream.js';

export async function missedReplyEvents(redis: RedisClient, prefix: string, chatId: string, afterSeq: number, clientAttempt: number): Promise<ReplyEvent[]> {
  const recent = new Date(Date.now() - DONE_TTL_SECONDS * 1000);
  const replies = await Message.query()
    .where({ chat_id: chatId, sender: 'assistant' })
    .where((q) => q.whereIn('status', ['queued', 'streaming']).orWhere('updated_at', '>', recent))
    .orderBy('created_at')
    .select('id');
  const missed: ReplyEvent[] = [];
  for (const { id } of replies) {
    const events = await readReplyEvents(redis, prefix, id);
    const current = events.find((e) => e.event === 'reply.started')?.data.attempt;
    const from = current === clientAttempt ? afterSeq : 0;
    missed.push(...events.filter((e) => e.event !== 'reply.delta' || (e.data.seq ?? 0) > from));
  }
  return missed;
}
