/**
 * The chat reply: one job, `ai.chat-reply` (queue ai), that masks the question and then
 * answers it. One job rather than a flow of two: a question's masking is a few milliseconds
 * and two statements, and a second job cost a queue hop and a parent activation before the
 * first token. The job id derives from the reply's id, so enqueueing the same reply twice
 * adds nothing.
 */
import type { Queue } from 'bullmq';
import type { Queues } from './queues.js';

export const replyJobId = (replyId: string) => `reply-${replyId}`;

const ALIVE = new Set(['active', 'waiting', 'delayed', 'prioritized']);

/** Whether the reply's job is still queued or running; a job that is gone reads as 'unknown'. */
export async function replyJobAlive(aiQueue: Queue, replyId: string): Promise<boolean> {
  return ALIVE.has(await aiQueue.getJobState(replyJobId(replyId)));
}

export interface ChatReplyIds {
  messageId: string;
  replyId: string;
  chatId: string;
  userId: string;
}

export async function enqueueChatReply(queues: Queues, ids: ChatReplyIds, sealed: string, replyAttempts: number): Promise<void> {
  await queues.add(
    'ai.chat-reply',
    { message_id: ids.replyId, reply_to: ids.messageId, chat_id: ids.chatId, user_id: ids.userId, sealed },
    // The queue's defaults (bounded history) apply; a retry comes sooner than the default's.
    { backoff: { type: 'exponential', delay: 500 }, jobId: replyJobId(ids.replyId), attempts: replyAttempts },
  );
}
