/**
 * Chat in a real browser: sign up, ask, watch the answer stream in; reload mid-answer and it
 * still completes; switching chats keeps it; stop an answer and keep what streamed; the UI
 * speaks Russian and switches to English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, signUp, startWebStack, type WebStack } from './harness.js';

const ANSWER = 'Согласно **ст. 81 ТК РФ** работодатель может уволить работника только по основаниям из закона. Обратитесь в инспекцию труда.';
let stack: WebStack;

beforeAll(async () => {
  stack = await startWebStack('webchat');
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

describe('the chat page', () => {
  it('signs up with the consent, asks, and shows the answer growing token by token, rendered as markdown', async () => {
    stack.ai.setDefault({ kind: 'text', text: ANSWER, chunks: 12, delayMs: 150 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'stream');
    const reply = await ask(page, 'Меня уволили без причины, что делать?');
    // Part of the answer, then all of it: it streamed rather than arrived at once.
    await expect.poll(async () => {
      const text = (await page.locator(`${reply} .markdown`).textContent()) ?? '';
      return text.length > 10 && !text.includes('инспекцию');
    }, { timeout: 20_000, interval: 40 }).toBe(true);
    await page.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    expect(await page.locator(`${reply} .markdown`).textContent()).toContain('работодатель может уволить работника');
    expect(await page.locator(`${reply} .markdown strong`).textContent()).toBe('ст. 81 ТК РФ');
    await page.close();
  }, 90_000);

  it('finishes an answer after a reload in the middle of it, and after switching chats', async () => {
    stack.ai.setDefault({ kind: 'text', text: ANSWER, chunks: 20, delayMs: 200 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'reload');
    const reply = await ask(page, 'Как оспорить увольнение?');
    await expect.poll(async () => ((await page.locator(`${reply} .markdown`).textContent()) ?? '').length, { timeout: 20_000, interval: 40 }).toBeGreaterThan(5);
    await page.reload();
    await page.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    expect(await page.locator(`${reply} .markdown`).textContent()).toContain('Обратитесь в инспекцию труда.');

    // A second question, then away to a new chat and back while it streams.
    const chatUrl = page.url();
    const second = await ask(page, 'А если я на испытательном сроке?');
    await page.click('text=Новый чат');
    await page.waitForURL((u) => u.toString() !== chatUrl);
    await page.goto(chatUrl);
    await page.waitForSelector(`${second}[data-status=completed]`, { timeout: 30_000 });
    expect(await page.locator(`${second} .markdown`).textContent()).toContain('Обратитесь в инспекцию труда.');
    await page.close();
  }, 90_000);

  it('stops an answer: the partial answer stays, marked as stopped, also after a reload, and Retry asks again', async () => {
    const plain = 'Сначала направьте работодателю письменную претензию, затем обратитесь в трудовую инспекцию или в суд.';
    stack.ai.setDefault({ kind: 'text', text: `${plain} ${plain}`, chunks: 60, delayMs: 150 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'stop');
    const reply = await ask(page, 'Меня уволили, как оспорить?');
    const shown = async () => ((await page.locator(`${reply} .markdown`).textContent()) ?? '').trim();
    await expect.poll(async () => (await shown()).length, { timeout: 20_000, interval: 40 }).toBeGreaterThan(10);
    await page.click(`${reply} button.stop`);
    await page.waitForSelector(`${reply}[data-status=completed][data-stopped=true]`, { timeout: 15_000 });
    const partial = await shown();
    expect(partial.length).toBeGreaterThan(10);
    expect(partial.length).toBeLessThan(plain.length);
    expect(plain.startsWith(partial)).toBe(true);
    expect(await page.locator(`${reply} .badge`).textContent()).toBe('Ответ остановлен');
    expect(await page.locator(`${reply} button.stop`).count()).toBe(0);

    // Nothing more arrives, and the reload shows the same stopped answer.
    await page.waitForTimeout(600);
    expect(await shown()).toBe(partial);
    await page.reload();
    await page.waitForSelector(`${reply}[data-stopped=true]`);
    expect(await shown()).toBe(partial);
    expect(await page.locator(`${reply} .badge`).textContent()).toBe('Ответ остановлен');

    stack.ai.setDefault({ kind: 'text', text: plain, chunks: 3 });
    await page.click(`${reply} button:text("Повторить")`);
    const again = page.locator('article.message.assistant').last();
    await expect.poll(() => again.getAttribute('data-message-id')).not.toBe(await page.locator(reply).getAttribute('data-message-id'));
    await page.waitForSelector(`article.message.assistant[data-message-id="${await again.getAttribute('data-message-id')}"][data-status=completed]`, { timeout: 30_000 });
    expect(((await again.locator('.markdown').textContent()) ?? '').trim()).toBe(plain);
    await page.close();
  }, 90_000);

  it('shows my personal data as chips, and my own values when I ask', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Уважаемая [PERSON_1], вы вправе оспорить увольнение.', chunks: 2 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'chips');
    const reply = await ask(page, 'Меня зовут Ковалёва Дарина Игоревна, меня уволили. Что делать?');
    await page.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    const question = page.locator('article.message.user').last();
    await question.locator('.chip').first().waitFor();
    expect(await question.textContent()).not.toContain('Ковалёва');
    // Named in the page's language.
    expect(await question.locator('.chip').first().textContent()).toBe('ФИО 1');
    await page.click('text=Показать мои данные');
    await page.waitForSelector('.chip.revealed');
    expect(await question.textContent()).toContain('Ковалёва Дарина Игоревна');
    expect(await page.locator(`${reply} .chip.revealed`).textContent()).toBe('Ковалёва Дарина Игоревна');
    await page.close();
  }, 60_000);

  it('switches the interface to English', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'lang');
    await page.click('header button:text("EN")');
    await expect(page.locator('header').textContent()).resolves.toContain('Documents');
    await page.reload();
    await expect(page.locator('header').textContent()).resolves.toContain('Sign out');
    await page.close();
  }, 60_000);
  it('names a new chat after its first question, and archives a chat out of the list', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Да, в течение 14 дней.' });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'titles');
    const reply = await ask(page, 'Можно ли вернуть товар надлежащего качества без чека в магазин?');
    await page.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    const current = page.locator('.chat-list nav a.active');
    await expect.poll(() => current.textContent(), { timeout: 10_000 }).toBe('Можно ли вернуть товар надлежащего качества без чека в…');

    page.once('dialog', (d) => void d.accept());
    await page.click('button:has-text("В архив")');
    await page.waitForURL(`${stack.url}/`);
    await expect.poll(() => page.locator('.chat-list nav a').count()).toBe(0);
    await page.close();
  }, 60_000);
});
