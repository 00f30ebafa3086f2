/** The public shape of a message (API.md): content absent while masking has not run. */
import type { Message } from '../db/models/index.js';

export interface PublicMessage {
  id: string;
  chat_id: string;
  sender: Message['sender'];
  content?: string;
  status: Message['status'];
  meta: Record<string, unknown>;
  reply_to: string | null;
  created_at: string;
}

export function toPublicMessage(m: Pick<Message, 'id' | 'chat_id' | 'sender' | 'content' | 'status' | 'meta' | 'reply_to' | 'created_at'>): PublicMessage {
  return {
    id: m.id,
    chat_id: m.chat_id,
    sender: m.sender,
    ...(m.content === null || m.content === undefined ? {} : { content: m.content }),
    status: m.status,
    meta: m.meta ?? {},
    reply_to: m.reply_to ?? null,
    created_at: new Date(m.created_at).toISOString(),
  };
}
