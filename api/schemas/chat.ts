import { z } from 'zod';
import { isoDate } from './common.js';

export const chatSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  type: z.string(),
  status: z.enum(['active', 'archived']),
  created_at: isoDate,
  updated_at: isoDate,
});

export const messageSchema = z.object({
  id: z.uuid(),
  chat_id: z.uuid(),
  sender: z.enum(['user', 'assistant', 'lawyer', 'system']),
  content: z.string().optional(),
  status: z.enum(['pending', 'queued', 'streaming', 'completed', 'failed']),
  meta: z.record(z.string(), z.unknown()).describe(
    'An answer: provider, model, usage, cached, citations, attempt; `stopped: true` when its owner stopped it (content = what had streamed). A failure: error {code, detail}.',
  ),
  reply_to: z.uuid().nullable(),
  created_at: isoDate,
});

export const createChatBody = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  type: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/).optional(),
  /** Documents that join the chat's context (the caller's own; another's is 404). */
  document_ids: z.array(z.uuid()).max(50).optional(),
});

export const postMessageBody = z.strictObject({ content: z.string().trim().min(1).max(20_000), document_ids: z.array(z.uuid()).max(50).optional() });

export const postMessageResponse = z.object({
  message: messageSchema,
  reply: z.object({ id: z.uuid(), status: z.literal('queued') }),
});

export const chatParams = z.object({ chat_id: z.uuid() });

export const messageParams = chatParams.extend({ message_id: z.uuid() });

export const stopReplyResponse = z.object({ message: messageSchema });
