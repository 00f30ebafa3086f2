/**
 * Stopping a reply (POST /api/chats/{chat_id}/messages/{message_id}/stop). A stopped reply is
 * `completed` with `meta.stopped: true` and exactly the text streamed so far.
 *
 * The API is rarely the process that streams the answer, so a stop travels through Redis: a
 * flag `<prefix>:reply-stop:<id>` (an hour) and the id published on `<prefix>:reply-stop`.
 * A worker follows the replies it runs (`ReplyStops.watch`): the message aborts the provider
 * call at once; the flag, read when a run starts and again when the subscription reconnects
 * (messages published while it was down are lost), stops a run that starts later: a retry
 * after a crash. A reply still `queued` (the first run marks it `streaming` before anything
 * else) is completed here by the API, empty, so it needs no worker; a run that starts after
 * that finds it completed and only re-announces it.
 */
import type { Db } from '../db/knex.js';
import { Message } from '../db/models/index.js';
import type { Emitter } from '../emitter.js';
import { domainErrors } from '../errors.js';
import type { RedisClient } from '../redis.js';
import { chatRoom, userRoom } from '../rooms.js';
import { replies } from '../telemetry/metrics.js';
import { ownChat } from './chats.js';
import { toPublicMessage, type PublicMessage } from './messages.js';

const STOP_TTL_SECONDS = 3600;
const stopKey = (prefix: string, replyId: string) => `${prefix}:reply-stop:${replyId}`;
const stopChannel = (prefix: string) => `${prefix}:reply-stop`;

/** The meta of a reply stopped before anything was generated: no tokens, nothing charged. */
export const STOPPED_UNANSWERED = { stopped: true, usage: { input_tokens: 0, output_tokens: 0 }, cached: false, citations: [] };

/** Why a run's stop signal aborted: the owner stopped the reply. */
export class ReplyStopped extends Error {
  override name = 'ReplyStopped';
}

export interface StopRequestDeps {
  db: Db;
  redis: RedisClient;
  emitter: Emitter;
  prefix: string;
}

/**
 * Asks the reply to stop and answers its state: `not_found` for another user's chat or a
 * message not in it, `invalid` for a message that is not an assistant reply, `conflict` once
 * it has ended (a stop that is still being carried out is asked again, harmlessly).
 */
export async function requestReplyStop(deps: StopRequestDeps, userId: string, chatId: string, replyId: string): Promise<PublicMessage> {
  await ownChat(userId, chatId, deps.db);
  const reply = await Message.query(deps.db).findOne({ id: replyId, chat_id: chatId });
  if (!reply) throw domainErrors.notFound('no such message in this chat');
  if (reply.sender !== 'assistant') throw domainErrors.invalid('only an assistant reply can be stopped', 'not_a_reply');
  if (reply.status !== 'queued' && reply.status !== 'streaming') {
    throw domainErrors.conflict(`the reply has already ended (${reply.meta?.stopped ? 'stopped' : reply.status}): there is nothing to stop`);
  }
  // The flag before the message: a run that starts after the flag reads it, one running hears the message.
  await deps.redis.set(stopKey(deps.prefix, replyId), '1', 'EX', STOP_TTL_SECONDS);
  await deps.redis.publish(stopChannel(deps.prefix), replyId);
  if (reply.status === 'queued') {
    const [done] = (await deps.db('messages')
      .where({ id: replyId, status: 'queued' })
      .update({ status: 'completed', content: '', meta: JSON.stringify(STOPPED_UNANSWERED), updated_at: deps.db.fn.now() })
      .returning('*')) as Message[];
    if (done) {
      replies.inc({ outcome: 'stopped', code: '' });
      const message = toPublicMessage(done);
      deps.emitter.to([chatRoom(chatId), userRoom(userId)]).emit('reply.completed', { chat_id: chatId, message });
      return message;
    }
  }
  // Streaming (or a run started meanwhile): the run ends it; answer its state as it is now.
  return toPublicMessage((await Message.query(deps.db).findById(replyId))!);
}

export interface StopWatch {
  /** Aborted (with ReplyStopped) once the reply is asked to stop. */
  readonly signal: AbortSignal;
  /** Settles once the flag was read: a stop asked before this run started has aborted `signal`. */
  readonly checked: Promise<void>;
  /** Stops following the reply. */
  release(): void;
}

export interface ReplyStops {
  watch(replyId: string): StopWatch;
  close(): Promise<void>;
}

/** A worker's follower of stop requests. `subscriber` is a connection of its own: it enters subscriber mode. */
export async function followReplyStops(subscriber: RedisClient, redis: RedisClient, prefix: string): Promise<ReplyStops> {
  const watched = new Map<string, Set<AbortController>>();
  const channel = stopChannel(prefix);
  const stop = (replyId: string) => watched.get(replyId)?.forEach((c) => c.abort(new ReplyStopped(`reply ${replyId} was stopped`)));
  const readFlag = async (replyId: string) => {
    if (await redis.exists(stopKey(prefix, replyId))) stop(replyId);
  };
  subscriber.on('message', (ch: string, replyId: string) => {
    if (ch === channel) stop(replyId);
  });
  subscriber.on('ready', () => {
    for (const replyId of watched.keys()) void readFlag(replyId).catch(() => undefined);
  });
  await subscriber.subscribe(channel);
  return {
    watch(replyId) {
      const controller = new AbortController();
      const controllers = watched.get(replyId) ?? new Set<AbortController>();
      watched.set(replyId, controllers.add(controller));
      return {
        signal: controller.signal,
        checked: readFlag(replyId),
        release() {
          controllers.delete(controller);
          if (controllers.size === 0) watched.delete(replyId);
        },
      };
    },
    async close() {
      await subscriber.quit();
    },
  };
}
