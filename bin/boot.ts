/** Start-up pieces shared by the command-line entry points (migrate, cli). */
import { loadConfig, type Config } from '../core/config.js';
import { bindModels, createDb, migrate, type Db } from '../core/db/knex.js';
import { createLogger, type Logger } from '../core/log.js';

/** Prints one line and exits non-zero: the way every start-up failure ends. */
export function die(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

/** Config, logger and a migrated database; any failure ends the process with one line. */
export async function bootDatabase(role: string): Promise<{ config: Config; log: Logger; db: Db }> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    die((err as Error).message);
  }
  const log = createLogger(config.logLevel, { role });
  const db = createDb(config);
  try {
    const applied = await migrate(db, config.database.schema);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    die(`database: ${(err as Error).message}`);
  }
  bindModels(db);
  return { config, log, db };
}
