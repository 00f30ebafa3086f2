/**
 * The chat when things go wrong or arrive late: "hide my data" wins over a late reveal; replayed
 * answers do not make the page load the chat again and again; Retry only where it can ask the
 * question again; a question not taken stays in the box; a Stop that failed can be pressed again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ask, signUp, startWebStack, type WebStack } from './harness.js';
import { apiCall, refuseOnce } from './route-helpers.js';

let stack: WebStack;
beforeAll(async () => {
  stack = await startWebStack('webchaterrors');
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

interface Message { id: string; chat_id: string; sender: string; status: string; content?: string | null; meta?: object }

/** From now on the chat's messages read as `edit` makes them (what the server would answer in that state). */
async function readMessagesAs(page: Page, edit: (items: Message[]) => Message[]): Promise<{ loads: number }> {
  const seen = { loads: 0 };
  await page.route(/\/api\/chats\/[^/]+\/messages\?/, async (route) => {
    if (route.request().method() !== 'GET') return route.fallback();
    seen.loads++;
    const res = await route.fetch();
    const body = (await res.json()) as { items: Message[] };
    await route.fulfill({ response: res, json: { ...body, items: edit(body.items) } });
  });
  return seen;
}

const idOf = async (page: Page, selector: string) => (await page.locator(selector).getAttribute('data-message-id'))!;

describe('the chat when things go wrong', () => {
  it('hides my data for good when the answer to "show" arrives after "hide"', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Уважаемая [PERSON_1], вы вправе оспорить увольнение.', chunks: 2 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'hide');
    const reply = await ask(page, 'Меня зовут Ковалёва Дарина Игоревна, меня уволили. Что делать?');
    await page.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    await page.locator('article.message.user .chip').first().waitFor();
    await page.route('**/api/chats/*/reveal', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue().catch(() => undefined); // the page may have given up on it
    });
    await page.click('text=Показать мои данные');
    await page.click('text=Скрыть мои данные');
    await page.waitForTimeout(2_500);
    expect(await page.locator('.chip.revealed').count()).toBe(0);
    expect(await page.locator('article.message.user').textContent()).not.toContain('Ковалёва');
    expect(await page.locator('.toolbar button').first().textContent()).toBe('Показать мои данные');
    await page.close();
  }, 60_000);

  it('does not load the chat again and again for a replayed answer while a question is still being masked', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Да, можно.', chunks: 3 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'replay');
    const reply = await ask(page, 'Можно ли вернуть товар?');
    await page.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    // A second question whose masking lags: the chat reads with it pending. Opening the chat
    // replays the answer that ended lately; that is no reason to read the chat again.
    const pending = (items: Message[]) => [...items, { id: randomUUID(), chat_id: items[0]!.chat_id, sender: 'user', status: 'pending', content: null, meta: {} }];
    const seen = await readMessagesAs(page, pending);
    await page.reload();
    await page.waitForSelector(`${reply}[data-status=completed]`);
    await page.waitForTimeout(3_000);
    expect(seen.loads).toBeLessThanOrEqual(3); // on opening, and once the socket is connected
    await page.close();
  }, 60_000);

  it('offers Retry only on replies whose question it can ask again', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Ответ.', chunks: 2 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'retry');
    const first = await ask(page, 'Первый вопрос?');
    await page.waitForSelector(`${first}[data-status=completed]`, { timeout: 30_000 });
    await page.fill('textarea[name=question]', 'Второй вопрос?');
    await page.click('.composer button[type=submit]');
    await expect.poll(() => page.locator('article.message.assistant').count()).toBe(2);
    const [question2, reply2, reply1] = await Promise.all([
      idOf(page, 'article.message.user >> nth=1'), idOf(page, 'article.message.assistant >> nth=1'), idOf(page, first),
    ]);
    await page.waitForSelector(`article[data-message-id="${reply2}"][data-status=completed]`, { timeout: 30_000 });
    // Both answers failed; the second question's masking failed too, so its text was never stored.
    const error = { code: 'unavailable', detail: 'no AI provider could answer' };
    await readMessagesAs(page, (items) => items.map((m) => {
      if (m.id === question2) return { ...m, status: 'failed', content: null };
      if (m.id === reply1 || m.id === reply2) return { ...m, status: 'failed', content: null, meta: { error } };
      return m;
    }));
    await page.reload();
    await page.waitForSelector(`article[data-message-id="${reply2}"][data-status=failed]`);
    const retries = page.locator('article.message button:text("Повторить")');
    expect(await retries.count()).toBe(1);
    expect(await page.locator(`${first} button:text("Повторить")`).count()).toBe(1);
    await page.close();
  }, 60_000);

  it('says in the page\'s language what the server refused: a taken e-mail, a wrong password, a chat that is not there', async () => {
    const page = await stack.browser.newPage();
    const { email } = await signUp(page, stack.url, 'refusals');
    await page.goto(`${stack.url}/chats/${randomUUID()}`);
    await page.waitForSelector('h1:text("Чат не найден")');
    expect(await page.locator('.composer').count()).toBe(0);
    await page.click('header button:text("Выйти")');
    await page.waitForSelector('main.auth');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await page.waitForSelector('main.auth [role=alert]');
    expect(await page.textContent('main.auth [role=alert]')).toBe('Неверная эл. почта или пароль.');
    await page.goto(`${stack.url}/register`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', 'correct horse battery');
    await page.check('input[name=consent]');
    await page.click('button[type=submit]');
    await page.waitForSelector('main.auth [role=alert]');
    expect(await page.textContent('main.auth [role=alert]')).toBe('Аккаунт с этой эл. почтой уже есть: войдите в него.');
    await page.close();
  }, 60_000);

  it('signs up when the consent document arrives late: the button waits for it', async () => {
    const page = await stack.browser.newPage();
    await page.route('**/api/privacy/consent-document', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await signUp(page, stack.url, 'late-consent');
    await page.close();
  }, 60_000);

  it('keeps a question that was not taken in the box, saying why', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'draft');
    await page.click('text=Новый чат');
    await page.waitForURL(/\/chats\//);
    await refuseOnce(page, apiCall('POST', '/messages'), 429, { 'retry-after': '60' });
    await page.fill('textarea[name=question]', 'Как расторгнуть договор аренды?');
    await page.click('.composer button[type=submit]');
    await page.waitForSelector('.conversation [role=alert]');
    expect(await page.inputValue('textarea[name=question]')).toBe('Как расторгнуть договор аренды?');
    expect(await page.locator('article.message').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('lets Stop be pressed again when stopping did not reach the server', async () => {
    const plain = 'Сначала направьте работодателю письменную претензию, затем обратитесь в трудовую инспекцию или в суд.';
    stack.ai.setDefault({ kind: 'text', text: `${plain} ${plain}`, chunks: 60, delayMs: 150 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'stop');
    const reply = await ask(page, 'Меня уволили, как оспорить?');
    const stop = page.locator(`${reply} button.stop`);
    await stop.waitFor();
    await page.route('**/api/chats/*/messages/*/stop', (route) => route.abort('internetdisconnected'), { times: 1 });
    await stop.click();
    await page.waitForSelector('.conversation [role=alert]');
    await expect.poll(() => stop.isEnabled()).toBe(true);
    expect(await stop.textContent()).toBe('Стоп');
    await stop.click();
    await page.waitForSelector(`${reply}[data-status=completed][data-stopped=true]`, { timeout: 15_000 });
    await page.close();
  }, 60_000);
});
