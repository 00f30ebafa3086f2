/**
 * Database connection: PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite
 * under DATA_DIR (one process only: PGlite is a single-connection database).
 */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { Model } from 'objection';
import pg from 'pg';
import { MIGRATIONS, type Migration } from '../../migrations/index.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

// Return BIGINT/COUNT as numbers: our counts stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

const forwardOnly = async () => {
  throw new Error('migrations are forward-only: write a new migration instead of rolling back');
};

/** Knex reads migrations from our static list. Knex insists on a `down`; ours refuses. */
const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => ({ up: m.up, down: forwardOnly }),
};

export type Db = Knex;

export function createDb(config: Pick<Config, 'database' | 'dataDir'>): Db {
  const { url, schema, poolMax } = config.database;
  const common = {
    migrations: { migrationSource, tableName: 'knex_migrations' },
    // Error messages must not carry bound values (e-mails, text): they reach logs and job history.
    compileSqlOnError: false,
  } satisfies Partial<Knex.Config>;
  if (url) {
    return knexFactory({
      client: 'pg',
      connection: url,
      searchPath: schema ? [schema] : undefined,
      pool: { min: 0, max: poolMax },
      acquireConnectionTimeout: 10_000,
      ...common,
    });
  }
  const dir = path.join(config.dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  return knexFactory({ client: ClientPgLite, dialect: 'postgres', connection: { filename: dir }, ...common });
}

/** Creates the schema when one is configured (per-test isolation), then runs pending migrations. */
export async function migrate(db: Db, schema?: string): Promise<string[]> {
  if (schema) await db.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

/** Binds objection models to this knex instance (one database per process). */
export function bindModels(db: Db): void {
  Model.knex(db);
}

/** Connects, applies pending migrations and binds the models: every entry point starts so. */
export async function openDatabase(config: Pick<Config, 'database' | 'dataDir'>, log: Logger): Promise<Db> {
  const db = createDb(config);
  try {
    const applied = await migrate(db, config.database.schema);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  bindModels(db);
  return db;
}
