import pg from 'pg';

/** Where the machine's real services are; override with TEST_PG_URL / TEST_REDIS_URL. */
export const ADMIN_DATABASE_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_DATABASE = 'legal_ai_test';
export const TEST_DATABASE_URL = (() => {
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${TEST_DATABASE}`;
  return u.toString();
})();
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Runs one statement on a connection of its own (roles, databases, schemas: set-up and clean-up). */
export async function sqlOnce<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
