/**
 * The ordered list of migrations. Imported statically (not discovered on disk by knex), so
 * they load the same under tsx, vitest and a bundler. A test checks that every file in this
 * folder is listed here.
 */
import type { Knex } from 'knex';
import * as init from './20261127000001_init.js';
import * as chatIdempotency from './20261127000002_chat_idempotency.js';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
}

export const MIGRATIONS: Migration[] = [
  { name: '20261127000001_init', ...init },
  { name: '20261127000002_chat_idempotency', ...chatIdempotency },
];
