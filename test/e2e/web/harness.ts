/**
 * The web client end to end: the real service started as `npm start` does, with fake
 * providers, driven by Debian's Chromium through playwright-core (no browser download).
 */
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { testEnv, type TestEnv } from '../../helpers/env.js';
import { spawnListening, type Spawned } from '../../helpers/spawn.js';
import { registerUser, request, uniqueEmail } from '../../helpers/http.js';
import { waitFor } from '../chat/harness.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && fs.existsSync(p));

export interface WebStack {
  url: string;
  ai: FakeProvider;
  browser: Browser;
  t: TestEnv;
  close(): Promise<void>;
}

export async function startWebStack(name: string, env: NodeJS.ProcessEnv = {}): Promise<WebStack> {
  if (!CHROMIUM) throw new Error('no Chromium: install Debian\'s chromium (.ci/run does) or set CHROMIUM_PATH');
  const ai = await startFakeOpenAI();
  const t = testEnv(name, { ...fakeProviderEnv({ openai: ai }), ...env });
  let service: Spawned | undefined;
  let browser: Browser | undefined;
  try {
    const started = await spawnListening('all', t.env, 60_000);
    service = started.proc;
    const { url } = started;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const [s, b] = [service, browser];
    return {
      url, ai, browser: b, t,
      async close() {
        await b.close();
        await s.stop();
        await ai.close();
        await t.cleanup();
      },
    };
  } catch (err) {
    await browser?.close();
    await service?.stop();
    await ai.close();
    await t.cleanup();
    throw err;
  }
}

/** Signs up through the page, consent ticked, and lands in the app. */
export async function signUp(page: Page, url: string, tag = 'web'): Promise<{ email: string; password: string }> {
  const email = uniqueEmail(tag);
  const password = 'correct horse battery';
  await page.goto(`${url}/register`);
  await page.fill('input[name=name]', 'Анна');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.check('input[name=consent]');
  await page.click('button[type=submit]');
  await page.waitForSelector('.chat-layout');
  return { email, password };
}

/** Starts a chat and asks; resolves with the reply's element selector. */
export async function ask(page: Page, question: string): Promise<string> {
  if (!page.url().includes('/chats/')) {
    await page.click('text=Новый чат');
    await page.waitForURL(/\/chats\//);
  }
  await page.fill('textarea[name=question]', question);
  await page.click('.composer button[type=submit]');
  const reply = page.locator('article.message.assistant').last();
  await reply.waitFor();
  return `article.message.assistant[data-message-id="${await reply.getAttribute('data-message-id')}"]`;
}

/** Waits until the job that LAW_AUTOIMPORT queues at first start has imported the labour code. */
export async function lawLibraryImported(url: string): Promise<void> {
  const reader = await registerUser(url, 'librarian');
  await waitFor('the law library', async () => {
    const res = await request(url, 'GET', '/api/law', { token: reader.token });
    return (res.body?.items as Array<{ code: string; articles: number }> | undefined)?.find((c) => c.code === 'tk' && c.articles > 0);
  }, 120_000);
}
