import { z } from 'zod';
import type { Db } from '../../core/db/knex.js';
import { problems } from '../problem.js';
import type { Storage } from '../../core/storage/index.js';
import type { RedisClient } from '../../core/redis.js';
import { defineRoute, type AnyRoute } from '../routing.js';

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

export function healthRoutes(deps: { db: Db; redis: RedisClient; storage: Storage }): AnyRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/healthz', summary: 'The process is up', tags: ['health'], access: 'public',
      responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } },
      async handler(ctx) {
        ctx.body = { status: 'ok' };
      },
    }),
    defineRoute({
      method: 'get', path: '/readyz', summary: 'Postgres, Redis and storage answer', tags: ['health'], access: 'public',
      responses: {
        200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('ok')) }) },
        503: { description: 'A dependency is down (problem document)' },
      },
      async handler(ctx) {
        const checks = {
          postgres: () => deps.db.raw('select 1'),
          redis: () => deps.redis.ping(),
          storage: () => deps.storage.check(),
        };
        const results = await Promise.all(
          Object.entries(checks).map(async ([name, check]) => [name, await within(check(), 2000).then(() => 'ok', () => 'down')] as const),
        );
        const down = results.filter(([, s]) => s !== 'ok').map(([n]) => n);
        if (down.length) throw problems.unavailable(`not ready: ${down.join(', ')} unreachable`);
        ctx.body = { status: 'ready', checks: Object.fromEntries(results) };
      },
    }),
  ];
}
