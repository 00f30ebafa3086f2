/**
 * The events of one in-flight reply, kept in a Redis stream next to being emitted, so a
 * client that missed some (`chat:join` with `after_seq`) gets them replayed. The stream
 * holds the current attempt only: a restarted attempt clears it and starts from seq 1.
 * It expires a while after the reply ends; the stored message is the lasting record.
 *
 * Fenced: a worker that lost its job's lock (stalled under load) may still be streaming
 * when another worker restarts the reply. Its `started` and deltas are refused
 * (AttemptSuperseded) once a newer attempt opened, so the two never interleave in one
 * stream. Terminal events are not fenced: only the run that wins the stored message's
 * conditional update publishes one, and a run fails the reply only while no newer attempt
 * has opened (`current()`, or `jobLockHeld` before the run opened its own).
 */
import type { Emitter } from '../emitter.js';
import type { RedisClient } from '../redis.js';
import { chatRoom, userRoom } from '../rooms.js';

const LIVE_TTL_SECONDS = 3600;
/** How long the events of a finished reply stay replayable. */
export const DONE_TTL_SECONDS = 600;

const replyStreamKey = (prefix: string, messageId: string) => `${prefix}:reply-stream:${messageId}`;

export interface ReplyEvent {
  event: 'reply.started' | 'reply.delta' | 'reply.completed' | 'reply.failed';
  data: Record<string, unknown> & { seq?: number };
}

export interface ReplyTarget {
  chatId: string;
  userId: string;
  messageId: string;
}

/** This attempt was overtaken by a newer one: stop streaming, leave the reply to it. */
export class AttemptSuperseded extends Error {
  override name = 'AttemptSuperseded';
}

/**
 * Stores events, each in its reply's stream, and publishes each (when it has a channel): one
 * call for all the events a process has ready, so a thousand streaming replies cost a few
 * script calls per turn of the event loop rather than one command per delta. Event i has
 * KEYS[2i-1] (the reply's stream), KEYS[2i] (its attempt counter), and six ARGV from 6(i-1):
 * its fence (an attempt number, or '' for none), name, data, TTL, channel and message. Fenced
 * events are stored only while the counter still names their attempt. Returns 1 (stored) or
 * 0 (superseded) per event; nobody is told of an event before it is stored.
 */
const STORE_EVENTS = `local stored = {}
for i = 1, #KEYS / 2 do
  local a = 6 * (i - 1)
  if ARGV[a + 1] ~= '' and redis.call('GET', KEYS[2 * i]) ~= ARGV[a + 1] then
    stored[i] = 0
  else
    redis.call('XADD', KEYS[2 * i - 1], '*', 'e', ARGV[a + 2], 'd', ARGV[a + 3])
    redis.call('EXPIRE', KEYS[2 * i - 1], ARGV[a + 4])
    if ARGV[a + 5] ~= '' then redis.call('PUBLISH', ARGV[a + 5], ARGV[a + 6]) end
    stored[i] = 1
  end
end
return stored`;

/** A new attempt of the reply: numbers it in KEYS[2] and clears KEYS[1], the stream an earlier attempt left. */
const OPEN_ATTEMPT = `local attempt = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return attempt`;

interface ReplyScripts {
  storeReplyEvents(numberOfKeys: number, ...keysThenArgs: Array<string | number | Buffer>): Promise<number[]>;
  openReplyAttempt(key: string, attemptKey: string, ttl: number): Promise<number>;
}
const withScripts = new WeakSet<RedisClient>();

/**
 * Defines the reply streams' commands on a client (once; openReplyPublisher does it too).
 * An auto-pipelined client must have them before its first command: a pipeline made before
 * a command is defined lacks it, and ioredis fails the command (and its pipeline) then.
 */
export function defineReplyScripts(redis: RedisClient): ReplyScripts {
  if (!withScripts.has(redis)) {
    redis.defineCommand('storeReplyEvents', { lua: STORE_EVENTS }); // the number of keys varies: given first
    redis.defineCommand('openReplyAttempt', { numberOfKeys: 2, lua: OPEN_ATTEMPT });
    withScripts.add(redis);
  }
  return redis as unknown as ReplyScripts;
}

type EventKeys = [stream: string, attemptCounter: string];
type EventArgs = [fence: number | '', event: string, data: string, ttl: number, channel: string, message: string | Buffer];
/** Stores one event in a batch; resolves to false when its attempt was superseded. */
type StoreEvent = (keys: EventKeys, args: EventArgs) => Promise<boolean>;

interface PendingEvent {
  keys: EventKeys;
  args: EventArgs;
  settle: (stored: boolean) => void;
  fail: (err: unknown) => void;
}

/** Events per script call: Redis runs nothing else while a script runs. */
const BATCH_MAX = 200;
const batchers = new WeakMap<RedisClient, StoreEvent>();

/**
 * A client's events are gathered until the event loop has handled the I/O that was ready
 * (setImmediate), then stored in calls of up to BATCH_MAX. One connection carries the calls
 * in order, so each reply's events stay in the order they were sent.
 */
function batcherOf(redis: RedisClient): StoreEvent {
  let batcher = batchers.get(redis);
  if (batcher) return batcher;
  const scripts = defineReplyScripts(redis);
  let pending: PendingEvent[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    for (let from = 0; from < batch.length; from += BATCH_MAX) {
      const part = batch.slice(from, from + BATCH_MAX);
      scripts.storeReplyEvents(2 * part.length, ...part.flatMap((e) => e.keys), ...part.flatMap((e) => e.args)).then(
        (stored) => part.forEach((e, i) => e.settle(stored[i] === 1)),
        (err: unknown) => part.forEach((e) => e.fail(err)),
      );
    }
  };
  batcher = (keys, args) => new Promise((settle, fail) => {
    if (pending.push({ keys, args, settle, fail }) === 1) setImmediate(flush);
  });
  batchers.set(redis, batcher);
  return batcher;
}

export interface ReplyPublisher {
  /** The attempt number of this run (1, then 2 after a crash or a retry). */
  readonly attempt: number;
  started(provider: string, model: string, extra?: Record<string, unknown>): Promise<void>;
  delta(text: string): Promise<void>;
  completed(message: object): Promise<void>;
  failed(error: { code: string; detail: string }): Promise<void>;
  /** Whether this attempt is still the reply's newest: no other run has restarted it. */
  current(): Promise<boolean>;
}

/** Starts a new attempt: clears what an earlier attempt left, numbers this one. */
export async function openReplyPublisher(deps: { redis: RedisClient; emitter: Emitter; prefix: string }, target: ReplyTarget): Promise<ReplyPublisher> {
  const key = replyStreamKey(deps.prefix, target.messageId);
  const attemptKey = `${key}:attempt`;
  const store = batcherOf(deps.redis);
  const attempt = await defineReplyScripts(deps.redis).openReplyAttempt(key, attemptKey, LIVE_TTL_SECONDS);
  const base = { chat_id: target.chatId, message_id: target.messageId };
  let seq = 0;

  /** Terminal events (completed, failed) go to the user's room too, and are not fenced. */
  async function publish(event: ReplyEvent['event'], data: ReplyEvent['data'], ttl: number, terminal: boolean): Promise<void> {
    const rooms = terminal ? [chatRoom(target.chatId), userRoom(target.userId)] : [chatRoom(target.chatId)];
    // Stored before emitted: a client that joins after seeing this event finds it in the stream.
    const publication = deps.emitter.publication(rooms, event, data);
    const stored = await store([key, attemptKey], [terminal ? '' : attempt, event, JSON.stringify(data), ttl, publication?.channel ?? '', publication?.message ?? '']);
    if (!stored) throw new AttemptSuperseded(`attempt ${attempt} of ${target.messageId} was superseded`);
    if (!publication) deps.emitter.to(rooms).emit(event, data);
  }

  return {
    attempt,
    started: (provider, model, extra = {}) =>
      publish('reply.started', { ...base, provider, model, attempt, ...(attempt > 1 ? { restart: true } : {}), ...extra }, LIVE_TTL_SECONDS, false),
    delta: (text) => publish('reply.delta', { ...base, seq: ++seq, attempt, delta: text }, LIVE_TTL_SECONDS, false),
    completed: (message) => publish('reply.completed', { chat_id: target.chatId, message }, DONE_TTL_SECONDS, true),
    failed: (error) => publish('reply.failed', { ...base, error }, DONE_TTL_SECONDS, true),
    current: async () => (await deps.redis.get(attemptKey)) === String(attempt),
  };
}

/**
 * For a run that has not opened an attempt yet: whether its job's lock is still its own. A run
 * that lost it (stalled past the lock's duration) has been, or will be, restarted by another
 * run, to which the reply belongs. Read only when the run would end the reply, not per answer.
 */
export function jobLockHeld(redis: RedisClient, job: { queueQualifiedName: string; id?: string | undefined; token?: string | undefined }): () => Promise<boolean> {
  return async () => job.token !== undefined && (await redis.get(`${job.queueQualifiedName}:${job.id}:lock`)) === job.token;
}

/** Every event of the reply's current attempt, oldest first (empty when none is kept). */
export async function readReplyEvents(redis: RedisClient, prefix: string, messageId: string): Promise<ReplyEvent[]> {
  const entries = await redis.xrange(replyStreamKey(prefix, messageId), '-', '+');
  return entries.map(([, fields]) => {
    const f = Object.fromEntries(fields.reduce<string[][]>((acc, v, i) => (i % 2 ? acc : [...acc, [v, fields[i + 1] ?? '']]), []));
    return { event: f.e as ReplyEvent['event'], data: JSON.parse(f.d ?? '{}') as ReplyEvent['data'] };
  });
}
