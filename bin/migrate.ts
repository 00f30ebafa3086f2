/** `npm run migrate`: applies pending migrations and exits. */
import { bootDatabase } from './boot.js';

const { db, log } = await bootDatabase('migrate');
log.info('migrations are up to date');
await db.destroy();
