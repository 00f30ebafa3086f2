import { BaseModel } from './base.js';

export type ChatStatus = 'active' | 'archived';

export class Chat extends BaseModel {
  static override tableName = 'chats';
  declare user_id: string;
  declare title: string;
  declare type: string;
  declare status: ChatStatus;
}
