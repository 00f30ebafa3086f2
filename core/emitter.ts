/**
 * How workers and account effects reach sockets held by any API node: `to(rooms).emit()` and
 * `in(room).disconnectSockets()`. With one Redis server (or Sentinel) the API runs the classic
 * Redis adapter and this is @socket.io/redis-emitter. In a Redis Cluster the API runs the
 * sharded adapter, which listens with SSUBSCRIBE, where a plain PUBLISH (all that emitter
 * package does) never arrives: the sharded emitter below SPUBLISHes the adapter's own
 * messages on the adapter's own channels.
 */
import { Emitter as RedisEmitter } from '@socket.io/redis-emitter';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis.js';
import { shardedChannelPrefix, socketKey } from './rooms.js';

export interface RoomOperator {
  emit(event: string, ...args: unknown[]): boolean;
  disconnectSockets(close?: boolean): void;
}

/** A PUBLISH, made but not sent. */
export interface Publication {
  channel: string;
  message: string | Buffer;
}

export interface Emitter {
  to(room: string | string[]): RoomOperator;
  in(room: string | string[]): RoomOperator;
  /**
   * What `to(rooms).emit(event, ...args)` publishes, unsent: for a Lua script that stores an
   * event and publishes it in the same round trip (core/chat/reply-stream.ts). Undefined in a
   * Redis Cluster, where a room's shard channel hashes to another slot than the script's keys
   * (no script can reach both): emit after the script there.
   */
  publication(rooms: string[], event: string, ...args: unknown[]): Publication | undefined;
}

export function createEmitter(redis: RedisClient, queuePrefix: string): Emitter {
  return redis instanceof Cluster ? new ShardedEmitter(redis, shardedChannelPrefix(queuePrefix)) : new ClassicEmitter(redis, socketKey(queuePrefix));
}

/**
 * @socket.io/redis-emitter. Its publications are its own encoding too (msgpack, which the
 * classic adapter reads), made by a second instance whose "client" keeps what it is given.
 */
class ClassicEmitter implements Emitter {
  private readonly emitter: RedisEmitter;
  private readonly recorder: RedisEmitter;
  private recorded: Publication | undefined;

  constructor(redis: RedisClient, key: string) {
    this.emitter = new RedisEmitter(redis, { key });
    const keep = { publish: (channel: string, message: Buffer) => void (this.recorded = { channel, message }) };
    this.recorder = new RedisEmitter(keep, { key });
  }

  to(room: string | string[]): RoomOperator {
    return this.emitter.to(room);
  }

  in(room: string | string[]): RoomOperator {
    return this.emitter.in(room);
  }

  publication(rooms: string[], event: string, ...args: unknown[]): Publication {
    this.recorder.to(rooms).emit(event, ...args); // synchronous: `keep` has it now
    const made = this.recorded!;
    this.recorded = undefined;
    return made;
  }
}

// The message format of socket.io-adapter's ClusterAdapter, which the sharded adapter extends.
const BROADCAST = 3;
const DISCONNECT_SOCKETS = 6;
const EVENT_PACKET = 2;
const NSP = '/';
const UID = 'emitter';

class ShardedEmitter implements Emitter {
  /** The sharded adapter's channel for the namespace; a room's own channel appends `<room>#`. */
  private readonly channel: string;

  constructor(private readonly redis: Cluster, channelPrefix: string) {
    this.channel = `${channelPrefix}#${NSP}#`;
  }

  to(room: string | string[]): RoomOperator {
    const rooms = Array.isArray(room) ? room : [room];
    const opts = { rooms, except: [], flags: {} };
    return {
      emit: (event, ...args) => {
        const packet = { type: EVENT_PACKET, data: [event, ...args], nsp: NSP };
        // As the adapter's own computeChannel ("dynamic" mode): one public room has a channel of
        // its own, to which only the nodes holding that room subscribe. 20 characters is a socket id.
        const only = rooms.length === 1 && rooms[0]!.length !== 20 ? rooms[0] : undefined;
        this.publish(only === undefined ? this.channel : `${this.channel}${only}#`, { type: BROADCAST, data: { packet, opts } });
        return true;
      },
      disconnectSockets: (close = false) => this.publish(this.channel, { type: DISCONNECT_SOCKETS, data: { opts, close } }),
    };
  }

  in(room: string | string[]): RoomOperator {
    return this.to(room);
  }

  publication(): undefined {
    return undefined;
  }

  /** Fire and forget, as @socket.io/redis-emitter; payloads are JSON (the adapter reads JSON or msgpack). */
  private publish(channel: string, message: { type: number; data: unknown }): void {
    this.redis.spublish(channel, JSON.stringify({ uid: UID, nsp: NSP, ...message })).catch(() => undefined);
  }
}
