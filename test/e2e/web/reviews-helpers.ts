/** Lawyer review in the browser: accounts whose role an operator set, signed in through the page. */
import type { Page } from 'playwright-core';
import { bindModels, createDb, type Db } from '../../../core/db/knex.js';
import { account } from '../../helpers/reviews.js';
import type { WebStack } from './harness.js';

/** The stack's database, bound to the models, so the test can set roles as an operator would. */
export function operatorDb(stack: WebStack): Db {
  const db = createDb({ database: { url: stack.t.env.DATABASE_URL, schema: stack.t.schema, poolMax: 2 }, dataDir: stack.t.dataDir });
  bindModels(db);
  return db;
}

/** A lawyer account (role set before its first request), signed in on `page`. */
export async function signInAsLawyer(page: Page, stack: WebStack): Promise<void> {
  const lawyer = await account(stack.url, 'lawyer', 'web-lawyer');
  await page.goto(`${stack.url}/login`);
  await page.fill('input[name=email]', lawyer.email);
  await page.fill('input[name=password]', lawyer.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.chat-layout');
}
