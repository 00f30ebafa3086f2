/** Admin fixtures for the browser tests: an admin made in the database, as an operator would. */
import pg from 'pg';
import type { Page } from 'playwright-core';
import { registerUser } from '../../helpers/http.js';
import { TEST_DATABASE_URL } from '../../helpers/services.js';
import type { WebStack } from './harness.js';

/** A new account made admin in the stack's schema before its first request (nothing cached yet). */
export async function adminAccount(stack: WebStack): Promise<Awaited<ReturnType<typeof registerUser>>> {
  const admin = await registerUser(stack.url, 'admin');
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`UPDATE "${stack.t.schema}".users SET role = 'admin' WHERE id = $1`, [admin.id]);
  } finally {
    await client.end();
  }
  return admin;
}

/** Signs in through the page and lands in the app. */
export async function signIn(page: Page, url: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.app > header');
}
