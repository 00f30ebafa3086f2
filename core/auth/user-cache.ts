/**
 * A short-lived cache of users for the API's hot path (every authenticated request and socket
 * event reads the caller). A change of role or status is published on Redis
 * (`publishUserChanged`, called after the commit by core/auth/accounts.ts) and every API node
 * drops that user at once (the node that made the change drops it before answering, so its
 * own next request never sees the old role); the TTL bounds staleness should a message be
 * lost, and a node drops everything when its subscription reconnects.
 */
import type { RedisClient } from '../redis.js';
import { User } from '../db/models/index.js';

const TTL_MS = 10_000;
const MAX_ENTRIES = 50_000;

export const userChangedChannel = (prefix: string) => `${prefix}:user-changed`;

export async function publishUserChanged(redis: RedisClient, prefix: string, userId: string): Promise<void> {
  await redis.publish(userChangedChannel(prefix), userId);
}

export interface UserCache {
  /** The user by id, from the cache or the database (undefined when there is none). */
  get(id: string): Promise<User | undefined>;
  /** Drops a user now, on this node (the node that made a change must not wait for its own message). */
  forget(id: string): void;
  /** Stops listening for changes. */
  close(): Promise<void>;
}

/** `subscriber` is a connection of its own: it enters subscriber mode. */
export async function createUserCache(subscriber: RedisClient, prefix: string, ttlMs = TTL_MS): Promise<UserCache> {
  const entries = new Map<string, { user: Promise<User | undefined>; expires: number }>();
  const channel = userChangedChannel(prefix);
  subscriber.on('message', (ch: string, userId: string) => {
    if (ch === channel) entries.delete(userId);
  });
  // Changes published while the subscription was down were missed: forget everything.
  subscriber.on('ready', () => entries.clear());
  await subscriber.subscribe(channel);
  return {
    get(id) {
      const now = Date.now();
      const hit = entries.get(id);
      if (hit && hit.expires > now) return hit.user;
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      // The promise is cached, so concurrent requests of one user share one query.
      const user = User.query().findById(id).then((u) => u, (err: unknown) => {
        entries.delete(id);
        throw err;
      });
      entries.set(id, { user, expires: now + ttlMs });
      return user;
    },
    forget(id) {
      entries.delete(id);
    },
    async close() {
      await subscriber.quit();
    },
  };
}
