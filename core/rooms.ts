/** Socket.IO naming shared by the gateway (API) and the emitters (workers). */

/** The followers of one chat (`chat:join`). */
export const chatRoom = (chatId: string) => `chat:${chatId}`;
/** Every socket of one user, joined at connect. */
export const userRoom = (userId: string) => `user:${userId}`;
/** The Redis key prefix of the Socket.IO adapter and emitter: one namespace per QUEUE_PREFIX. */
export const socketKey = (queuePrefix: string) => `${queuePrefix}-io`;
/**
 * The channel prefix of the sharded adapter and emitter (Redis Cluster). Without the braces of
 * the queue prefix's hash tag, each room's channel hashes to a slot of its own, so the rooms'
 * traffic spreads over the shards instead of all landing on the one holding the queues.
 */
export const shardedChannelPrefix = (queuePrefix: string) => socketKey(queuePrefix.replace(/[{}]/g, ''));
