/**
 * Runs once before the suite: the real Postgres and Redis must answer, and the test
 * database exists. Each test file then works in a schema and queue prefix of its own.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { ADMIN_DATABASE_URL, TEST_DATABASE, REDIS_URL } from './services.js';

export default async function setup(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`tests need PostgreSQL at ${ADMIN_DATABASE_URL}: ${(err as Error).message}`, { cause: err });
  }
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEST_DATABASE]);
  if (!rowCount) await admin.query(`CREATE DATABASE ${TEST_DATABASE}`).catch(() => undefined);
  await admin.end();

  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`tests need Redis at ${REDIS_URL}: ${(err as Error).message}`, { cause: err });
  } finally {
    redis.disconnect();
  }
}
