/**
 * Audit trail: who did what to what, from where. Never a password or a token. The database
 * names the actor by its keyed hash (migration 20261226000015); while the account lives its
 * id is found again through `user_keys`, and once the account is erased nothing leads back.
 * The actor's address is sealed with a key of the account's own secret, so erasing the account
 * shreds it too (the chain hashes the sealed value, so it still verifies). The key is derived in
 * the database, so the secret itself, which also keys the account's data, never leaves it for
 * this. An address without an account (a failed sign-in with an unknown e-mail) is kept as it is.
 */
import type { Knex } from 'knex';
import { AuditLog } from './db/models/index.js';
import { Vault } from './dlp/vault.js';

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
  const db = trx ?? AuditLog.knex();
  const found: Uint8Array | undefined = event.actorId && event.ip
    ? (await db('user_keys as k').where('k.user_id', event.actorId).first(db.raw(`${IP_KEY} AS key`)))?.key
    : undefined;
  await AuditLog.query(trx).insert({
    actor_id: event.actorId ?? null,
    action: event.action,
    target_type: event.targetType ?? null,
    target_id: event.targetId ?? null,
    ip: found ? ipVault(found).seal(event.ip) : (event.ip ?? null),
    meta: event.meta ?? {},
  });
}

/** The address key of the account row `k`: SHA-256 of its secret and this purpose (the secret is 48 random bytes). */
const IP_KEY = `sha256(k.secret || convert_to('legal-ai:audit-ip', 'UTF8'))`;
const SEALED = 'v1.';
// pg reads bytea as a Buffer, the embedded PGlite as a bare Uint8Array.
const ipVault = (key: Uint8Array) => new Vault(Buffer.from(key));

/** The key that opens an entry's address, while its actor's account lives (select it beside AUDIT_COLUMNS). */
export const AUDIT_IP_KEY = `(SELECT ${IP_KEY} FROM user_keys k WHERE k.audit_actor = audit_logs.actor) AS ip_key`;

/**
 * An entry read with AUDIT_IP_KEY, its address opened and the key dropped: opened while its
 * account lives, null once it is erased (or when it does not open: an altered entry is the chain
 * check's to report, not a reason to fail a list); one never sealed as it is.
 */
export function withReadableIp<T extends { ip: string | null; ip_key?: Uint8Array | null }>({ ip_key: key, ...entry }: T): Omit<T, 'ip_key'> {
  return { ...entry, ip: openIp(entry.ip, key) };
}

function openIp(ip: string | null, key: Uint8Array | null | undefined): string | null {
  if (!ip?.startsWith(SEALED)) return ip;
  try {
    return key ? ipVault(key).open<string>(ip) : null;
  } catch {
    return null;
  }
}

/** The account's pseudonym in the trail, or null once the account (and its secret) is gone. */
export async function auditActorOf(db: Knex, userId: string): Promise<string | null> {
  return (await db('user_keys').where({ user_id: userId }).first('audit_actor'))?.audit_actor ?? null;
}

/** The columns of an entry, `actor_id` resolved from the pseudonym while the account lives. */
export const AUDIT_COLUMNS = [
  'audit_logs.id', 'audit_logs.actor', 'audit_logs.action', 'audit_logs.target_type', 'audit_logs.target_id',
  'audit_logs.ip', 'audit_logs.meta', 'audit_logs.created_at',
] as const;
export const AUDIT_ACTOR_ID = 'coalesce(audit_logs.actor_id, (SELECT k.user_id FROM user_keys k WHERE k.audit_actor = audit_logs.actor)) AS actor_id';

/** A where clause for entries whose actor is the account: by id (older entries) or by its pseudonym. */
export const byActor = (userId: string): [string, string[]] => [
  '(audit_logs.actor_id = ? OR audit_logs.actor = (SELECT audit_actor FROM user_keys WHERE user_id = ?))', [userId, userId],
];
