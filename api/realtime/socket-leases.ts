/**
 * The per-user cap on open sockets, shared by every API node. Each socket holds a lease in a
 * Redis sorted set of its user, scored by when the lease runs out; the node renews its
 * sockets' leases while they stay open and drops them on disconnect. A node that dies
 * without cleaning up leaves leases that run out within LEASE_MS: the count cannot leak.
 */
import type { RedisClient } from '../../core/redis.js';

const LEASE_MS = 60_000;
const RENEW_EVERY_MS = LEASE_MS / 3;

// Drops leases that ran out, then takes one if fewer than the cap are held: one atomic step,
// so two nodes admitting at once cannot both take the last one.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

export interface SocketLeases {
  /** Takes a lease for the socket, or answers false when the user holds `max` already. */
  acquire(userId: string, socketId: string): Promise<boolean>;
  release(userId: string, socketId: string): Promise<void>;
  /** Stops renewing (the node is closing; its leases run out on their own). */
  stop(): void;
}

export function createSocketLeases(redis: RedisClient, keyPrefix: string, max: number): SocketLeases {
  const key = (userId: string) => `${keyPrefix}:sockets:${userId}`;
  const held = new Map<string, string>(); // socket id -> user id, on this node
  const renew = setInterval(() => {
    if (held.size === 0) return;
    const expiry = Date.now() + LEASE_MS;
    const batch = redis.pipeline();
    // XX: renew only leases still there (a released one stays released).
    for (const [socketId, userId] of held) batch.zadd(key(userId), 'XX', expiry, socketId).pexpire(key(userId), LEASE_MS);
    batch.exec().catch(() => undefined); // a missed renewal is retried in RENEW_EVERY_MS, well before expiry
  }, RENEW_EVERY_MS);
  renew.unref();

  return {
    async acquire(userId, socketId) {
      const now = Date.now();
      const ok = await redis.eval(ACQUIRE, 1, key(userId), now, max, now + LEASE_MS, socketId, LEASE_MS);
      if (ok === 1) held.set(socketId, userId);
      return ok === 1;
    },
    async release(userId, socketId) {
      held.delete(socketId);
      await redis.zrem(key(userId), socketId);
    },
    stop: () => clearInterval(renew),
  };
}
