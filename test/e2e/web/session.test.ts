/**
 * The session in a real browser, with access tokens that live a minute: answers still stream
 * after the server closed the socket at its token's expiry; two tabs renew one at a time; a busy
 * or unreachable server keeps the session (also at load, with Retry); a session ended in another
 * tab ends here too; a sign-out that did not reach the server says so and can be retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, WebSocket } from 'playwright-core';
import { ask, signUp, startWebStack, type WebStack } from './harness.js';
import { apiCall, refuseOnce, sendInPairs } from './route-helpers.js';

const TOKEN_TTL_S = 60; // the least core/config.ts allows
const ANSWER = 'Согласно ст. 81 ТК РФ работодатель может уволить работника только по основаниям из закона. Обратитесь в инспекцию труда.';
let stack: WebStack;

beforeAll(async () => {
  stack = await startWebStack('websession', { ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_TTL_S) });
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

const signInForm = (page: Page) => page.waitForSelector('input[name=email]');
const markdownOf = async (page: Page, reply: string) => ((await page.locator(`${reply} .markdown`).textContent()) ?? '').trim();

describe('the session', () => {
  it('streams an answer live after the server closed the socket when its access token expired', async () => {
    stack.ai.setDefault({ kind: 'text', text: ANSWER, chunks: 15, delayMs: 200 });
    const page = await stack.browser.newPage();
    const sockets: WebSocket[] = [];
    page.on('websocket', (ws) => sockets.push(ws));
    await signUp(page, stack.url, 'expiry');
    const first = await ask(page, 'Меня уволили без причины, что делать?');
    await page.waitForSelector(`${first}[data-status=completed]`, { timeout: 30_000 });
    expect(sockets).toHaveLength(1);

    // The token the socket was admitted with expires: the server closes it.
    if (!sockets[0]!.isClosed()) await sockets[0]!.waitForEvent('close', { timeout: (TOKEN_TTL_S + 15) * 1000 });
    // A new socket first (the banner's count is 0 also before React has drawn it), then no banner.
    await expect.poll(() => sockets.length).toBeGreaterThan(1);
    await expect.poll(() => page.getByText('Нет связи, переподключаюсь…').count(), { timeout: 10_000 }).toBe(0);

    // The same chat, followed again on the new socket: the next answer grows on the page.
    await page.fill('textarea[name=question]', 'А если я на испытательном сроке?');
    await page.click('.composer button[type=submit]');
    const replies = page.locator('article.message.assistant');
    await expect.poll(() => replies.count()).toBe(2);
    const second = `article.message.assistant[data-message-id="${await replies.last().getAttribute('data-message-id')}"]`;
    await expect.poll(async () => {
      const text = await markdownOf(page, second);
      return text.length > 10 && !text.includes('инспекцию');
    }, { timeout: 20_000, interval: 40 }).toBe(true);
    await page.waitForSelector(`${second}[data-status=completed]`, { timeout: 30_000 });
    expect(await markdownOf(page, second)).toBe(ANSWER);
    await page.close();
  }, 150_000);

  it('renews two tabs whose tokens were refused at the same moment one at a time, and both stay signed in', async () => {
    const context = await stack.browser.newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    await signUp(a, stack.url, 'tabs');
    await b.goto(stack.url);
    await b.waitForSelector('.chat-layout');
    // Each tab's next request is refused as an expired token's is; their renewals reach the
    // server together unless the tabs take turns (then each spends the cookie the other got).
    for (const page of [a, b]) await refuseOnce(page, apiCall('POST', '/api/chats'), 401);
    await sendInPairs(context, '**/api/auth/refresh');
    await Promise.all([a, b].map((page) => page.click('text=Новый чат')));
    await Promise.all([a, b].map((page) => page.waitForURL(/\/chats\//, { timeout: 15_000 })));
    // The session was not taken for stolen: a reload is still signed in.
    await b.reload();
    await b.waitForSelector('.chat-layout');
    await context.close();
  }, 60_000);

  it('keeps the session when the server is busy renewing it: waits out a short Retry-After, and a question not taken stays in the box', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Да, можно.' });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'busy');
    await refuseOnce(page, apiCall('POST', '/api/chats'), 401);
    await refuseOnce(page, apiCall('POST', '/api/auth/refresh'), 429, { 'retry-after': '1' });
    await page.click('text=Новый чат');
    await page.waitForURL(/\/chats\//, { timeout: 15_000 });

    // A server away (503): the question is not taken, says why, and is still there to send again.
    await refuseOnce(page, apiCall('POST', '/messages'), 401);
    await refuseOnce(page, apiCall('POST', '/api/auth/refresh'), 503);
    await page.fill('textarea[name=question]', 'Можно ли вернуть товар?');
    await page.click('.composer button[type=submit]');
    await page.waitForSelector('.conversation [role=alert]');
    expect(await page.inputValue('textarea[name=question]')).toBe('Можно ли вернуть товар?');
    await page.click('.composer button[type=submit]');
    await page.waitForSelector('article.message.assistant[data-status=completed]', { timeout: 30_000 });
    expect(await page.inputValue('textarea[name=question]')).toBe('');
    await page.close();
  }, 60_000);

  it('says so when the server cannot restore the session at load, and restores it on Retry', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'restore');
    for (const step of [apiCall('POST', '/api/auth/refresh'), apiCall('GET', '/api/auth/me')]) {
      await refuseOnce(page, step, 503);
      await page.reload();
      await page.click('[role=alert] button:text("Повторить")', { timeout: 10_000 });
      await page.waitForSelector('.chat-layout');
    }
    await page.close();
  }, 60_000);

  it('signs the other tabs out with the one the person signed out in, with no request of theirs', async () => {
    const context = await stack.browser.newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    await signUp(a, stack.url, 'elsewhere');
    await b.goto(stack.url);
    await b.waitForSelector('.chat-layout');
    const requests: string[] = [];
    b.on('request', (r) => requests.push(r.url()));
    await a.click('header button:text("Выйти")');
    await signInForm(a);
    await signInForm(b);
    expect(requests.filter((u) => u.includes('/api/'))).toEqual([]);
    await context.close();
  }, 60_000);

  it('signs a tab out when its token is refused', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'refused');
    await refuseOnce(page, apiCall('POST', '/api/chats'), 401);
    await refuseOnce(page, apiCall('POST', '/api/auth/refresh'), 401);
    await page.click('text=Новый чат');
    await signInForm(page);
    await page.close();
  }, 60_000);

  it('stays signed in, and says so, when signing out did not reach the server; Retry signs out for good', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'signout');
    await page.route('**/api/auth/logout', (route) => route.abort('internetdisconnected'), { times: 1 });
    await page.click('header button:text("Выйти")');
    const failed = page.locator('[role=alert]:has-text("Выйти не удалось")');
    await failed.waitFor();
    expect(await page.locator('.chat-layout').count()).toBe(1);
    await failed.locator('button').click();
    await signInForm(page);
    await page.reload();
    await signInForm(page);
    expect(await page.locator('.chat-layout').count()).toBe(0);
    await page.close();
  }, 60_000);
});
