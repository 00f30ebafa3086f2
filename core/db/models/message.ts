import { BaseModel } from './base.js';

export type Sender = 'user' | 'assistant' | 'lawyer' | 'system';
export type MessageStatus = 'pending' | 'queued' | 'streaming' | 'completed' | 'failed';

export class Message extends BaseModel {
  static override tableName = 'messages';
  declare chat_id: string;
  declare user_id: string;
  declare sender: Sender;
  declare content: string | null;
  declare status: MessageStatus;
  declare meta: Record<string, unknown>;
  declare reply_to: string | null;
}
