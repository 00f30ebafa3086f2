/**
 * The Socket.IO gateway at /ws. The access token is checked at connect and the socket is
 * closed when the token expires (the client reconnects with a fresh one); the user is loaded
 * again for every client event, so a block takes effect at once. Each socket joins its
 * user's room. The Redis adapter lets any API node deliver what any worker emits.
 */
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { AccessTokenService } from '../../core/auth/access-tokens.js';
import { User } from '../../core/db/models/index.js';
import type { Logger } from '../../core/log.js';
import { socketKey, userRoom } from '../../core/rooms.js';
import { userFromToken } from '../middleware/authenticate.js';

export type Ack = (reply: { ok: true } | { ok: false; error: { code: string } }) => void;
/** A client event handler; it answers through the ack. */
export type SocketHandler = (socket: Socket, user: User, payload: unknown, ack: Ack) => Promise<void>;

const MAX_TIMER_MS = 2 ** 31 - 1;

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
    const session = typeof token === 'string' ? await userFromToken(deps.tokens, token).catch(() => undefined) : undefined;
    if (!session || session.user.status !== 'active') return next(new Error('unauthorized'));
    socket.data.user = session.user;
    socket.data.exp = session.exp;
    next();
  });

  io.on('connection', (socket) => {
    const { id: userId } = socket.data.user as User;
    // setTimeout cannot wait longer than ~24.8 days; access tokens live minutes.
    const ttlMs = Math.min((socket.data.exp as number) * 1000 - Date.now(), MAX_TIMER_MS);
    const expiry = setTimeout(() => socket.disconnect(true), Math.max(0, ttlMs));
    socket.on('disconnect', () => clearTimeout(expiry));
    void socket.join(userRoom(userId));
    for (const [event, handler] of Object.entries(deps.handlers)) {
      socket.on(event, (payload: unknown, ack?: unknown) => {
        const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => undefined;
        const run = async () => {
          const user = await User.query().findById(userId);
          if (!user || user.status !== 'active') return reply({ ok: false, error: { code: 'forbidden' } });
          await handler(socket, user, payload, reply);
        };
        run().catch((err: Error) => {
          deps.log.warn({ err: err.message, event }, 'socket handler failed');
          reply({ ok: false, error: { code: 'internal_error' } });
        });
      });
    }
  });
  return io;
}
