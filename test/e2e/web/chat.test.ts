/**
 * Chat in a real browser: sign up, ask, watch the answer stream in; reload mid-answer and it
 * still completes; switching chats keeps it; the UI speaks Russian and switches to English.
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

  it('shows my personal data as chips, and my own values when I ask', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Уважаемая [PERSON_1], вы вправе оспорить увольнение.', chunks: 2 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'chips');
    const reply = await ask(page, 'Меня зовут Ковалёва Дарина Игоревна, меня уволили. Что делать?');
    await page.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    const question = page.locator('article.message.user').last();
    await question.locator('.chip').first().waitFor();
    expect(await question.textContent()).not.toContain('Ковалёва');
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
});
