import { BaseModel } from './base.js';

export type Role = 'user' | 'lawyer' | 'admin';
export const ROLES: readonly Role[] = ['user', 'lawyer', 'admin'];
export type UserStatus = 'active' | 'blocked';

export class User extends BaseModel {
  static override tableName = 'users';
  declare email: string;
  declare name: string | null;
  declare password_hash: string;
  declare role: Role;
  declare status: UserStatus;

  /** The public shape (`GET /api/auth/me`): never the password hash. */
  toPublic() {
    return {
      id: this.id,
      email: this.email,
      name: this.name,
      role: this.role,
      status: this.status,
      created_at: new Date(this.created_at).toISOString(),
    };
  }
}
