/**
 * The Socket.IO gateway at /ws. The access token is checked at connect and the socket is
 * closed when the token expires (the client reconnects with a fresh one); the user is loaded
 * again for every client event, and blocking an account closes its sockets on every node
 * (an erasure's block leaves them open to watch it, every client event refused, until it ends).
 * A user holds at most SOCKET_MAX_PER_USER sockets across all nodes (socket-leases.ts); one
 * more is refused with `too_many_connections`. Each socket joins its user's room. The Redis
 * adapter lets any API node deliver what any worker emits; in a Redis Cluster it is the sharded
 * adapter (SSUBSCRIBE, Redis 7), to which core/emitter.ts publishes.
 */
import type { Server as HttpServer } from 'node:http';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../../core/redis.js';
import { Server, type Socket } from 'socket.io';
import type { AccessTokenService } from '../../core/auth/access-tokens.js';
import type { UserCache } from '../../core/auth/user-cache.js';
import type { User } from '../../core/db/models/index.js';
import type { Logger } from '../../core/log.js';
import { shardedChannelPrefix, socketKey, userRoom } from '../../core/rooms.js';
import { userFromToken } from '../middleware/authenticate.js';
import { socketConnections } from '../../core/telemetry/metrics.js';
import { inSpan, SpanKind } from '../../core/telemetry/tracing.js';
import { createSocketLeases } from './socket-leases.js';

export type Ack = (reply: { ok: true } | { ok: false; error: { code: string } }) => void;
/** A client event handler; it answers through the ack. */
export type SocketHandler = (socket: Socket, user: User, payload: unknown, ack: Ack) => Promise<void>;

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface GatewayDeps {
  tokens: AccessTokenService;
  users: UserCache;
  log: Logger;
  pub: RedisClient;
  /** In a Redis Cluster made with `sharded: true` (core/redis.ts). */
  sub: RedisClient;
  /** Fail-fast commands (socket leases): with Redis away, a connect is refused, not held. */
  redis: RedisClient;
  keyPrefix: string;
  corsOrigins: string[];
  maxSocketsPerUser: number;
  handlers: Record<string, SocketHandler>;
}

export function createGateway(server: HttpServer, deps: GatewayDeps): Server {
  const io = new Server(server, {
    path: '/ws',
    serveClient: false,
    cors: deps.corsOrigins.length ? { origin: deps.corsOrigins.includes('*') ? true : deps.corsOrigins } : undefined,
    adapter: deps.pub instanceof Cluster
      ? createShardedAdapter(deps.pub, deps.sub, { channelPrefix: shardedChannelPrefix(deps.keyPrefix) })
      : createAdapter(deps.pub, deps.sub, { key: socketKey(deps.keyPrefix) }),
  });
  const leases = createSocketLeases(deps.redis, deps.keyPrefix, deps.maxSocketsPerUser);
  server.once('close', () => leases.stop());

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown })?.token;
    // A bad token reads as no session; a throw is the user store failing, not the client's token.
    const session = typeof token === 'string' ? await userFromToken(deps.tokens, deps.users, token).catch(() => null) : undefined;
    if (session === null) return next(new Error('unavailable'));
    if (!session || session.user.status !== 'active') return next(new Error('unauthorized'));
    const leased = await leases.acquire(session.user.id, socket.id).catch(() => undefined);
    if (leased === undefined) return next(new Error('unavailable'));
    if (!leased) return next(new Error('too_many_connections'));
    // A connection gone while it was admitted is dropped by Socket.IO with neither 'connection'
    // nor 'disconnect': its lease is given back when its transport closes, whenever that is.
    const release = () => void leases.release(session.user.id, socket.id).catch(() => undefined);
    socket.conn.once('close', release);
    if (socket.conn.readyState !== 'open') {
      release();
      return next(new Error('unavailable'));
    }
    socket.data.user = session.user;
    socket.data.exp = session.exp;
    next();
  });

  io.on('connection', (socket) => {
    const { id: userId } = socket.data.user as User;
    socketConnections.inc();
    socket.on('disconnect', () => {
      socketConnections.dec();
      void leases.release(userId, socket.id).catch(() => undefined);
    });
    // setTimeout cannot wait longer than ~24.8 days; access tokens live minutes.
    const ttlMs = Math.min((socket.data.exp as number) * 1000 - Date.now(), MAX_TIMER_MS);
    const expiry = setTimeout(() => socket.disconnect(true), Math.max(0, ttlMs));
    socket.on('disconnect', () => clearTimeout(expiry));
    void socket.join(userRoom(userId));
    // A block that landed while this socket was admitted closed the user's sockets before it was
    // in the room: the user is read again now that it is (the block's announcement came first,
    // so this read is not served from before it).
    void deps.users.get(userId).then((user) => {
      if (!user || user.status !== 'active') socket.disconnect(true);
    }, () => undefined);
    for (const [event, handler] of Object.entries(deps.handlers)) {
      socket.on(event, (payload: unknown, ack?: unknown) => {
        const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => undefined;
        const run = async () => {
          const user = await deps.users.get(userId);
          if (!user || user.status !== 'active') return reply({ ok: false, error: { code: 'forbidden' } });
          await handler(socket, user, payload, reply);
        };
        inSpan(`socket ${event}`, { kind: SpanKind.SERVER, attributes: { 'messaging.system': 'socket.io', 'messaging.operation.name': event } }, run).catch((err: Error) => {
          deps.log.warn({ err: err.message, event }, 'socket handler failed');
          reply({ ok: false, error: { code: 'internal_error' } });
        });
      });
    }
  });
  return io;
}
