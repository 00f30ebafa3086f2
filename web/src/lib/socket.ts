/**
 * One Socket.IO connection per signed-in tab, at /ws. The token is read at every
 * (re)connect, so a renewed session reconnects with the new one.
 */
import { io, type Socket } from 'socket.io-client';
import { useEffect } from 'react';
import { getAccessToken, onSessionChange } from './api';

let socket: Socket | null = null;

export function getSocket(): Socket {
  socket ??= io({ path: '/ws', transports: ['websocket'], auth: (cb) => cb({ token: getAccessToken() }) });
  return socket;
}

onSessionChange((signedIn) => {
  if (!signedIn && socket) {
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
