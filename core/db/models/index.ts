export { BaseModel } from './base.js';
export { User, ROLES, type Role, type UserStatus } from './user.js';
export { RefreshToken } from './refresh-token.js';
export { AuditLog } from './audit-log.js';
export { Chat, type ChatStatus } from './chat.js';
export { Message, type Sender, type MessageStatus } from './message.js';
