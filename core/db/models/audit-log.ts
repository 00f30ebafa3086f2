import { Model } from 'objection';

export class AuditLog extends Model {
  static override tableName = 'audit_logs';
  declare id: string;
  /** Entries written before pseudonyms; since, null and `actor` holds the keyed hash. */
  declare actor_id: string | null;
  declare actor: string | null;
  declare action: string;
  declare target_type: string | null;
  declare target_id: string | null;
  /** Sealed for an actor with an account (audit.ts's readableIp opens it). */
  declare ip: string | null;
  /** Only where selected with AUDIT_IP_KEY: what opens `ip`. */
  declare ip_key?: Uint8Array | null;
  declare meta: Record<string, unknown>;
  declare created_at: Date;
}
