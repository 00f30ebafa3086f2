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
import { grantServiceRole } from './grants.js';

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
  const { url, schema, poolMax, acquireTimeoutMs } = config.database;
  if (url) return postgres(url, schema, poolMax, acquireTimeoutMs);
  return knexFactory({ ...ownEmbedded(config.dataDir, command), ...common });
}

function postgres(url: string, schema: string | undefined, poolMax: number, acquireTimeoutMs = 10_000): Db {
  return knexFactory({
    client: 'pg',
    connection: url,
    searchPath: schema ? [schema] : undefined,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: acquireTimeoutMs,
    ...common,
  });
}

/**
 * The read replica (DATABASE_READ_URL) with the writer's schema and tracing, or the writer
 * itself when none is set. Never migrated: it replays the writer's schema. Connects lazily,
 * so a replica that is down does not stop the start (core/db/read-routing.ts reads around it).
 */
export function openReadDb(config: DbConfig, writer: Db): Db {
  const { readUrl, schema, poolMax, acquireTimeoutMs } = config.database;
  if (!readUrl) return writer;
  const db = postgres(readUrl, schema, poolMax, acquireTimeoutMs);
  traceQueries(db);
  return db;
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

/**
 * With DATABASE_OWNER_URL, migrations run as the schema's owner and the service's role (the
 * one DATABASE_URL logs in as) gets only the grants it needs (`grants.ts`).
 */
async function migrateAsOwner(config: DbConfig, service: Db, log: Logger): Promise<string[]> {
  const { ownerUrl, schema, poolMax } = config.database;
  const owner = postgres(ownerUrl!, schema, poolMax);
  try {
    const applied = await migrate(owner, schema);
    const { role, owns } = (await service.raw(
      `SELECT current_user AS role, pg_has_role(current_user, (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_logs' AND schemaname = current_schema()), 'USAGE') AS owns`,
    )).rows[0] as { role: string; owns: boolean };
    if (owns) log.warn({ role }, 'DATABASE_URL logs in as the owner of the tables (or a member of its role): nothing can be withheld from it; give the service its own role');
    else await grantServiceRole(owner, role);
    return applied;
  } finally {
    await owner.destroy();
  }
}

/** Connects, applies pending migrations and binds the models: every entry point starts so. */
export async function openDatabase(config: DbConfig, log: Logger, { command, join = false }: OpenOptions): Promise<Db> {
  const db = join && !config.database.url ? knexFactory({ ...(await joinEmbedded(config.dataDir, command)), ...common }) : createDb(config, command);
  try {
    const applied = config.database.ownerUrl ? await migrateAsOwner(config, db, log) : await migrate(db, config.database.schema);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  traceQueries(db);
  bindModels(db);
  return db;
}
