/** Audit trail: who did what to what, from where. Never a password or a token. */
import type { Knex } from 'knex';
import { AuditLog } from './db/models/index.js';

export interface AuditEvent {
  actorId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  ip?: string;
  meta?: Record<string, unknown>;
}

/** Records the event; inside `trx` when given, so it lands with the change it describes or not at all. */
export async function audit(event: AuditEvent, trx?: Knex.Transaction): Promise<void> {
  await AuditLog.query(trx).insert({
    actor_id: event.actorId ?? null,
    action: event.action,
    target_type: event.targetType ?? null,
    target_id: event.targetId ?? null,
    ip: event.ip ?? null,
    meta: event.meta ?? {},
  });
}
