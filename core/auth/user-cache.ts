/**
 * A short-lived cache of users for the API's hot path (every authenticated request and socket
 * event reads the caller). A change of role or status is announced after its commit
 * (`publishUserChanged`, from pipelines/account-effects.ts): every API node drops that user and
 * acknowledges, and the announcement returns once all have, so the admin's answer means the
 * change applies on every node (a block at once, whatever a node had cached). The TTL bounds
 * staleness should a node miss a message; a node whose subscription is down reads the
 * database for every request, and drops everything when it hears the channel again.
 *
 * The count awaited is that of the channel's own subscribers, read in the PUBLISH's transaction:
 * PUBLISH's answer also counts pattern subscribers (a tool listening with `PSUBSCRIBE *`), which
 * never acknowledge. In a Redis Cluster the channel is a sharded one (SSUBSCRIBE/SPUBLISH): a
 * plain PUBLISH there counts only the receivers on the node it was sent to, and a sharded
 * channel has no pattern subscribers, so SPUBLISH's answer is the count.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../redis.js';
import { User } from '../db/models/index.js';

export const USER_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 50_000;
/** A node that has not acknowledged by then is hung or gone; its entries run out with the TTL. */
const ACK_WAIT_MS = 2_000;
const ACK_POLL_MS = 2;

export const userChangedChannel = (prefix: string) => `${prefix}:user-changed`;
/** The list every node that dropped the user pushes to, one per announcement. */
const ackKey = (prefix: string, nonce: string) => `${prefix}:user-changed-ack:${nonce}`;

/**
 * Announces that a user changed and resolves once every node listening has dropped it from its
 * cache: true then, false when one had not acknowledged within `waitMs`, or Redis failed. It
 * never throws: the change is committed, and what follows it (a block closing sockets) must run.
 */
export async function publishUserChanged(redis: RedisClient, prefix: string, userId: string, waitMs = ACK_WAIT_MS): Promise<boolean> {
  const nonce = randomUUID();
  const key = ackKey(prefix, nonce);
  let waiting = true;
  const announce = async () => {
    const message = `${userId} ${nonce}`;
    const channel = userChangedChannel(prefix);
    const receivers = redis instanceof Cluster ? Number(await redis.spublish(channel, message)) : await publishToSubscribers(redis, channel, message);
    while (waiting && receivers > 0) {
      if ((await redis.llen(key)) >= receivers) return true;
      await sleep(ACK_POLL_MS);
    }
    return receivers === 0;
  };
  let timer: NodeJS.Timeout | undefined;
  // A command that stalls (a server that stopped answering) must not hold the change up either.
  const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, waitMs, false)));
  try {
    return await Promise.race([announce(), deadline]);
  } catch {
    return false;
  } finally {
    waiting = false;
    clearTimeout(timer);
    redis.del(key).catch(() => undefined);
  }
}

/** PUBLISHes, and counts the channel's subscribers as it does (not PUBLISH's answer, which counts patterns too). */
async function publishToSubscribers(redis: RedisClient, channel: string, message: string): Promise<number> {
  const replies = await redis.multi().publish(channel, message).pubsub('NUMSUB', channel).exec();
  const failed = replies?.find(([err]) => err)?.[0];
  if (!replies || failed) throw failed ?? new Error('the announcement was not sent');
  const [, count] = replies[1]![1] as [string, number];
  return Number(count);
}

export interface UserCache {
  /** The user by id, from the cache or the database (undefined when there is none). */
  get(id: string): Promise<User | undefined>;
  /** Drops a user now, on this node (the node that made a change must not wait for its own message). */
  forget(id: string): void;
  /** Stops listening for changes. */
  close(): Promise<void>;
}

/**
 * `subscriber` is a connection of its own: it enters subscriber mode (in a cluster, made with
 * `sharded: true`, core/redis.ts). `redis` is a command connection, for the acknowledgements.
 */
export async function createUserCache(subscriber: RedisClient, redis: RedisClient, prefix: string, ttlMs = USER_CACHE_TTL_MS): Promise<UserCache> {
  const entries = new Map<string, { user: Promise<User | undefined>; expires: number }>();
  const channel = userChangedChannel(prefix);
  const sharded = subscriber instanceof Cluster;
  subscriber.on(sharded ? 'smessage' : 'message', (ch: string, message: string) => {
    if (ch !== channel) return;
    const [userId, nonce] = message.split(' ');
    entries.delete(userId!);
    if (!nonce) return;
    const key = ackKey(prefix, nonce);
    // Expiry only for an announcer that died waiting: it deletes the list itself.
    redis.multi().rpush(key, '1').pexpire(key, ACK_WAIT_MS * 2).exec().catch(() => undefined);
  });
  // While the subscription is down, announcements go unheard (and PUBLISH does not count this
  // node, so nobody waits for it): the cache serves nothing then and every read goes to the
  // database. Changes published while it was down were missed: everything is forgotten.
  let listening = false;
  const forgetAll = () => entries.clear();
  const deaf = () => {
    listening = false;
    forgetAll();
  };
  const listen = async () => {
    await (sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel));
    forgetAll();
    listening = true;
  };
  subscriber.on('close', deaf);
  subscriber.on('end', deaf);
  if (sharded) {
    // A cluster resubscribes its shard subscribers itself, which come and go with events of their own.
    subscriber.on('ready', () => void (listening = true));
    for (const event of ['ready', '-node', '-subscriber', '+subscriber', 'subscribersReady']) subscriber.on(event, forgetAll);
  } else {
    // 'ready' comes before the connection's own resubscription is answered; a SUBSCRIBE sent
    // after it is answered after it, so once this one is, the channel is heard again.
    subscriber.on('ready', () => void listen().catch(() => undefined));
  }
  await listen();
  return {
    get(id) {
      if (!listening) return User.query().findById(id).then((u) => u);
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
