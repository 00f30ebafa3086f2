/**
 * One Socket.IO connection per signed-in tab, at /ws, kept up for as long as the session lasts.
 * The token is read at every (re)connect. Socket.IO reconnects by itself only after a transport
 * failure; when the server closes the socket (its access token expired) or refuses it at connect
 * (`unauthorized`, `unavailable`, `too_many_connections`), reconnecting is this module's job.
 * Pages listen to `connect` to follow again what they followed (the chat rejoins with `after_seq`).
 */
import { io, type Socket } from 'socket.io-client';
import { useEffect } from 'react';
import { getAccessToken, onSessionChange, refresh } from './api';

let socket: Socket | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
/** Connects that failed in a row: each waits twice as long as the one before, up to a ceiling. */
let failures = 0;

/** How long to wait after a refusal, first and at most (ms). */
const BACKOFF = {
  unavailable: [1_000, 30_000],
  too_many_connections: [15_000, 300_000], // other tabs hold the user's sockets: ask rarely
} as const;

export function getSocket(): Socket {
  if (!socket) {
    socket = io({ path: '/ws', transports: ['websocket'], auth: (cb) => cb({ token: getAccessToken() }) });
    keepConnected(socket);
  }
  return socket;
}

function keepConnected(s: Socket): void {
  s.on('connect', () => {
    failures = 0;
  });
  s.on('disconnect', (reason) => {
    // The token this socket was admitted with expired (the session has renewed it since).
    if (reason === 'io server disconnect') reconnect(s, 0, false);
  });
  s.on('connect_error', (err) => {
    if (s.active) return; // a transport failure: Socket.IO retries it with its own backoff
    // A refused token is renewed at once the first time; anything else waits its turn.
    if (err.message === 'unauthorized' && !failures) return retry(s, [0, 0], true);
    retry(s, err.message === 'too_many_connections' ? BACKOFF.too_many_connections : BACKOFF.unavailable, err.message === 'unauthorized');
  });
}

/** One more failure in a row: connects again after the backoff it has earned. */
function retry(s: Socket, [first, most]: readonly [number, number], renew: boolean): void {
  const ms = Math.min(most, first * 2 ** failures++);
  // Jitter: the tabs a restarted server dropped do not all come back at the same moment.
  reconnect(s, ms / 2 + (Math.random() * ms) / 2, renew);
}

/** Connects `s` again after `ms`, with a renewed session first when its token was refused. */
function reconnect(s: Socket, ms: number, renew: boolean): void {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(async () => {
    if (s !== socket) return; // signed out meanwhile
    if (renew) {
      // false: the session is over, and the socket with it; a throw: the server is busy, later.
      const renewed = await refresh().catch(() => undefined);
      if (renewed === false || s !== socket) return;
      if (renewed === undefined) return retry(s, BACKOFF.unavailable, true);
    }
    s.connect();
  }, ms);
}

onSessionChange((signedIn) => {
  if (!signedIn && socket) {
    clearTimeout(retryTimer);
    failures = 0;
    socket.disconnect();
    socket = null;
  }
});

/** Listens to a server event while the component lives. */
export function useSocketEvent<T>(event: string, handler: (payload: T) => void, deps: unknown[] = []): void {
  useEffect(() => {
    const s = getSocket();
    s.on(event, handler);
    return () => void s.off(event, handler);
  }, [event, ...deps]);
}
