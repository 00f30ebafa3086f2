/**
 * Database connection: PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite
 * under DATA_DIR, owned by one process and reached by others through it (core/db/embedded.ts).
 */
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import pg from 'pg';
import { MIGRATIONS, type Migration } from '../../migrations/index.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { joinEmbedded, ownEmbedded } from './embedded.js';
import { traceQueries } from '../telemetry/tracing.js';

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
type DbConfig = Pick<Config, 'database' | 'dataDir'>;

const common = {
  migrations: { migrationSource, tableName: 'knex_migrations' },
  // Error messages must not carry bound values (e-mails, text): they reach logs and job history.
  compileSqlOnError: false,
} satisfies Partial<Knex.Config>;

/**
 * Without DATABASE_URL this process becomes the owner of the embedded database, or throws
 * DataDirInUse naming the live one. `command` names this process in the lock file.
 */
export function createDb(config: DbConfig, command = path.basename(process.argv[1] ?? 'node')): Db {
  const { url, schema, poolMax } = config.database;
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
  return knexFactory({ ...ownEmbedded(config.dataDir, command), ...common });
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

export interface OpenOptions {
  /** How this process is named to others, e.g. "npm start". */
  command: string;
  /** Command-line tools: use the running owner of the embedded database instead of refusing. */
  join?: boolean;
}

/** Connects, applies pending migrations and binds the models: every entry point starts so. */
export async function openDatabase(config: DbConfig, log: Logger, { command, join = false }: OpenOptions): Promise<Db> {
  const db = join && !config.database.url ? knexFactory({ ...(await joinEmbedded(config.dataDir, command)), ...common }) : createDb(config, command);
  try {
    const applied = await migrate(db, config.database.schema);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  traceQueries(db);
  bindModels(db);
  return db;
}
