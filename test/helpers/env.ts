/**
 * An isolated environment per test file: its own Postgres schema, queue prefix (which also
 * prefixes Socket.IO and rate-limit keys) and DATA_DIR. `cleanup()` drops all three.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createDb, type Db } from '../../core/db/knex.js';
import { REDIS_URL, sqlOnce, TEST_DATABASE_URL } from './services.js';

export interface TestEnv {
  env: NodeJS.ProcessEnv;
  schema: string;
  prefix: string;
  dataDir: string;
  /** A knex on this environment's schema (not migrated; it connects at its first query). */
  db(poolMax?: number): Db;
  cleanup(): Promise<void>;
}

export function testEnv(name: string, extra: NodeJS.ProcessEnv = {}): TestEnv {
  const id = `${name.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const schema = `t_${id}`;
  const prefix = `t-${id}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `legal-ai-${id}-`));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    DATABASE_POOL_MAX: '4',
    REDIS_URL,
    REDIS_AUTOSTART: 'false',
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    SHUTDOWN_TIMEOUT_MS: '10000',
    // Test files register many accounts from 127.0.0.1; the limit has its own test.
    REGISTER_MAX_PER_IP: '100000',
    // The law library takes seconds to import; the files that need it turn it back on.
    LAW_AUTOIMPORT: 'false',
    ...extra,
  };
  return {
    env,
    schema,
    prefix,
    dataDir,
    db: (poolMax = 1) => createDb({ database: { url: env.DATABASE_URL, schema, poolMax }, dataDir }),
    async cleanup() {
      await sqlOnce(TEST_DATABASE_URL, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      const redis = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
