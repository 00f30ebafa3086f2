/**
 * The Socket.IO gateway at /ws. The access token is checked at connect; each socket joins
 * its user's room. The Redis adapter lets any API node deliver what any worker emits.
 */
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { AccessTokenService } from '../../core/auth/access-tokens.js';
import type { User } from '../../core/db/models/index.js';
import type { Logger } from '../../core/log.js';
import { socketKey, userRoom } from '../../core/rooms.js';
import { userFromToken } from '../middleware/authenticate.js';


export type Ack = (reply: { ok: true } | { ok: false; error: { code: string } }) => void;
/** A client event handler; it answers through the ack. */
export type SocketHandler = (socket: Socket, user: User, payload: unknown, ack: Ack) => Promise<void>;

export interface GatewayDeps {
  tokens: AccessTokenService;
  log: Logger;
  pub: Redis;
  sub: Redis;
  keyPrefix: string;
  corsOrigins: string[];
  handlers: Record<string, SocketHandler>;
}

export function createGateway(server: HttpServer, deps: GatewayDeps): Server {
  const io = new Server(server, {
    path: '/ws',
    serveClient: false,
    cors: deps.corsOrigins.length ? { origin: deps.corsOrigins.includes('*') ? true : deps.corsOrigins } : undefined,
    adapter: createAdapter(deps.pub, deps.sub, { key: socketKey(deps.keyPrefix) }),
  });

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown })?.token;
    const user = typeof token === 'string' ? await userFromToken(deps.tokens, token).catch(() => undefined) : undefined;
    if (!user || user.status !== 'active') return next(new Error('unauthorized'));
    socket.data.user = user;
    next();
  });

  io.on('connection', (socket) => {
    const user = socket.data.user as User;
    void socket.join(userRoom(user.id));
    for (const [event, handler] of Object.entries(deps.handlers)) {
      socket.on(event, (payload: unknown, ack?: unknown) => {
        const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => undefined;
        handler(socket, user, payload, reply).catch((err: Error) => {
          deps.log.warn({ err: err.message, event }, 'socket handler failed');
          reply({ ok: false, error: { code: 'internal_error' } });
        });
      });
    }
  });
  return io;
}
