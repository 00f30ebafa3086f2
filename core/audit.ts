/** Audit trail: who did what to what, from where. Never a password or a token. */
import { AuditLog } from './db/models/index.js';

export interface AuditEvent {
  actorId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  ip?: string;
  meta?: Record<string, unknown>;
}

export async function audit(event: AuditEvent): Promise<void> {
  await AuditLog.query().insert({
    actor_id: event.actorId ?? null,
    action: event.action,
    target_type: event.targetType ?? null,
    target_id: event.targetId ?? null,
    ip: event.ip ?? null,
    meta: event.meta ?? {},
  });
}
