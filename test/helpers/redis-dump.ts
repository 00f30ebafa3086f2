/** Everything Redis holds under a key prefix, as text: tests search it for values that must not be there. */
import { Redis } from 'ioredis';
import { REDIS_URL } from './services.js';

export async function redisDump(prefix: string): Promise<string> {
  const redis = new Redis(REDIS_URL);
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') parts.push((await redis.get(key)) ?? '');
      if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
    }
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  return parts.join('\n');
}

/** The keys matching a pattern (SCAN), e.g. the reply stream of one message. */
export async function redisKeys(pattern: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  return found;
}
