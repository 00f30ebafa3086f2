/**
 * The chat reply flow: `dlp.mask-message` (child, queue dlp) -> `ai.chat-reply` (parent,
 * queue ai). The parent runs once the masked question is stored. Job ids derive from the
 * message ids, so enqueueing the same reply twice adds nothing.
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { Queues } from './queues.js';
import { DEFAULT_JOB_OPTIONS, JOBS, type JobPayload } from './registry.js';

export const replyJobId = (replyId: string) => `reply-${replyId}`;
export const maskJobId = (messageId: string) => `mask-${messageId}`;

const ALIVE = new Set(['active', 'waiting', 'waiting-children', 'delayed', 'prioritized']);

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
  const mask: JobPayload<'dlp.mask-message'> = JOBS['dlp.mask-message'].payload.parse({
    message_id: ids.messageId, reply_id: ids.replyId, chat_id: ids.chatId, user_id: ids.userId, sealed,
  });
  const reply: JobPayload<'ai.chat-reply'> = JOBS['ai.chat-reply'].payload.parse({
    message_id: ids.replyId, reply_to: ids.messageId, chat_id: ids.chatId, user_id: ids.userId,
  });
  const common: JobsOptions = { ...DEFAULT_JOB_OPTIONS, backoff: { type: 'exponential', delay: 500 } };
  await queues.flows.add({
    name: 'ai.chat-reply',
    queueName: JOBS['ai.chat-reply'].queue,
    data: reply,
    opts: { ...common, jobId: replyJobId(ids.replyId), attempts: replyAttempts },
    children: [
      {
        name: 'dlp.mask-message',
        queueName: JOBS['dlp.mask-message'].queue,
        data: mask,
        // A question that cannot be masked cannot be answered: the reply fails with it.
        opts: { ...common, jobId: maskJobId(ids.messageId), attempts: 3, failParentOnFailure: true },
      },
    ],
  });
}
