/** Start-up pieces shared by the command-line entry points (migrate, cli). */
import { loadConfig, type Config } from '../core/config.js';
import { openDatabase, type Db } from '../core/db/knex.js';
import { createLogger, type Logger } from '../core/log.js';

/** Prints one line and exits non-zero: the way every start-up failure ends. */
export function die(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

/**
 * Config, logger and a migrated database; any failure ends the process with one line. On the
 * embedded database a running `npm start` is joined through its socket, not opened twice.
 */
export async function bootDatabase(role: 'cli' | 'migrate'): Promise<{ config: Config; log: Logger; db: Db }> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    die((err as Error).message);
  }
  const log = createLogger(config.logLevel, { role });
  const db = await openDatabase(config, log, { command: `npm run ${role}`, join: true }).catch((err: Error) => die(`database: ${err.message}`));
  return { config, log, db };
}
