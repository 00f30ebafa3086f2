/** Start-up pieces shared by the command-line entry points (migrate, cli). */
import { loadConfig, type Config } from '../core/config.js';
import { openDatabase, type Db } from '../core/db/knex.js';
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
  const db = await openDatabase(config, log).catch((err: Error) => die(`database: ${err.message}`));
  return { config, log, db };
}
