/**
 * A block that lands while a socket is being admitted: the user was read as active, then the
 * block closed the user's sockets before this one had joined the user's room. The gateway reads
 * the user again once the socket is in the room, so the socket is closed all the same.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Model } from 'objection';
import type { Server } from 'socket.io';
import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../api/realtime/gateway.js';
import { createAccessTokens } from '../../core/auth/access-tokens.js';
import { createUserCache, publishUserChanged, type UserCache } from '../../core/auth/user-cache.js';
import { createEmitter } from '../../core/emitter.js';
import { createLogger } from '../../core/log.js';
import { userRoom } from '../../core/rooms.js';
import { sleep, waitFor } from '../e2e/chat/harness.js';
import { registerUser } from '../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { REDIS_URL } from '../helpers/services.js';

let rt: TestRuntime;
const redis: Redis[] = [];
let users: UserCache;
let gateway: Server;
let url: string;
const tokens = createAccessTokens({ secret: randomBytes(32), issuer: 'test', audience: 'test', ttlSeconds: 300 });
/** Run once, inside the admission's read of this user, after the read. */
const duringAdmission = new Map<string, () => Promise<void>>();

beforeAll(async () => {
  rt = await startTestRuntime('socketadmit', { mode: 'api' });
  const [pub, sub, command, usersSub] = Array.from({ length: 4 }, () => new Redis(REDIS_URL));
  redis.push(pub!, sub!, command!, usersSub!);
  const real = await createUserCache(usersSub!, command!, rt.t.prefix);
  users = {
    ...real,
    async get(id) {
      const user = await real.get(id);
      const hook = duringAdmission.get(id);
      duringAdmission.delete(id);
      await hook?.();
      return user;
    },
  };
  const server = http.createServer();
  gateway = createGateway(server, {
    tokens, users, log: createLogger('silent'), pub: pub!, sub: sub!, redis: command!, keyPrefix: rt.t.prefix,
    corsOrigins: [], maxSocketsPerUser: 5, handlers: {},
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => gateway?.close(() => resolve(undefined)));
  await users?.close();
  for (const r of redis) r.disconnect();
  await rt?.close();
});

/** What blocking does (pipelines/account-effects.ts): commit, announce, close the user's sockets. */
async function block(userId: string) {
  await Model.knex()('users').where({ id: userId }).update({ status: 'blocked' });
  await publishUserChanged(redis[2]!, rt.t.prefix, userId);
  createEmitter(redis[2]!, rt.t.prefix).in(userRoom(userId)).disconnectSockets(true);
  await sleep(200); // the close reaches the gateway, which has no socket in the room yet
}

async function connectAs(userId: string) {
  const socket = connectClient(url, { path: '/ws', auth: { token: await tokens.sign({ sub: userId, role: 'user' }) }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
}

describe('a socket admitted while its account is blocked', () => {
  it('is closed once it is in the user room', async () => {
    const user = await registerUser(rt.url, 'blockedmidway');
    duringAdmission.set(user.id, () => block(user.id));
    const socket = await connectAs(user.id);
    try {
      await waitFor('the socket to be closed', () => (socket.connected ? undefined : true), 2000);
    } finally {
      socket.close();
    }
  });

  it('stays open for an active user', async () => {
    const user = await registerUser(rt.url, 'activeadmitted');
    const socket = await connectAs(user.id);
    try {
      await sleep(300);
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });
});
