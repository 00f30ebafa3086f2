/**
 * The web client by keyboard alone: Tab reaches the main controls of the chat and the
 * documents with a visible focus, Enter and Space work them (the upload opens the file
 * picker), and the phone's menu opens from its button and closes with Escape.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { focusIsVisible, tabTo, VIEWPORTS } from './a11y-helpers.js';
import { signUp, startWebStack, type WebStack } from './harness.js';

let stack: WebStack;
beforeAll(async () => {
  stack = await startWebStack('webkeys');
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

/** Tabs to `target` and checks that the focus shows on it. */
async function reach(page: Page, target: Locator): Promise<void> {
  await tabTo(page, target);
  expect(await focusIsVisible(page), `the focus on ${target} is not visible`).toBe(true);
}

describe('the keyboard', () => {
  it('skips to the content, starts a chat, types a question and sends it', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Да, можно: в течение 14 дней.' });
    const page = await stack.browser.newPage({ viewport: VIEWPORTS.desktop });
    await signUp(page, stack.url, 'keys-chat');
    await page.goto(stack.url); // a fresh load: the focus starts at the top

    // The first Tab shows the skip link; Enter puts the focus on the page's content.
    await reach(page, page.locator('a.skip-link'));
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');

    await reach(page, page.getByRole('button', { name: 'Новый чат' }));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/chats\//);
    const question = page.locator('textarea[name=question]');
    await reach(page, question);
    await page.keyboard.type('Можно ли вернуть товар без чека?');
    await reach(page, page.locator('.composer button[type=submit]'));
    await page.keyboard.press('Enter');
    await page.waitForSelector('article.message.assistant[data-status=completed]', { timeout: 30_000 });
    expect(await page.locator('article.message.user').textContent()).toContain('Можно ли вернуть товар без чека?');
    expect(await question.inputValue()).toBe('');
    await page.close();
  }, 90_000);

  it('reaches the upload on the documents page and picks a file with the keyboard', async () => {
    const page = await stack.browser.newPage({ viewport: VIEWPORTS.desktop });
    await signUp(page, stack.url, 'keys-docs');
    await page.goto(`${stack.url}/documents`);
    await page.waitForSelector('.dropzone');

    // Listening first: Playwright turns on its interception of file pickers lazily, with the
    // first listener, and a picker opened before that is answered by the browser, not seen.
    const chooser = page.waitForEvent('filechooser');
    await reach(page, page.locator('.dropzone input[type=file]'));
    await page.keyboard.press('Space');
    await (await chooser).setFiles({ name: 'заметка.txt', mimeType: 'text/plain', buffer: Buffer.from('Памятка о порядке возврата товара.') });
    await page.waitForSelector('tr[data-status=ready]', { timeout: 60_000 });
    expect(await page.locator('tr[data-document-id] a').textContent()).toContain('заметка');
    await page.close();
  }, 90_000);

  it('opens the menu on a phone, goes through its sections, and closes it with Escape', async () => {
    const page = await stack.browser.newPage({ viewport: VIEWPORTS.mobile });
    await signUp(page, stack.url, 'keys-menu');
    const toggle = page.locator('header button[aria-controls=app-menu]');
    const menu = page.locator('#app-menu');
    expect(await menu.isVisible()).toBe(false);

    await reach(page, toggle);
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'visible' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await reach(page, menu.getByRole('link', { name: 'Документы' }));
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.evaluate((el) => el === el.ownerDocument?.activeElement)).toBe(true);

    // Choosing a section opens it and folds the menu away.
    await page.keyboard.press('Enter');
    await reach(page, menu.getByRole('link', { name: 'Документы' }));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/documents$/);
    await menu.waitFor({ state: 'hidden' });
    await page.close();
  }, 90_000);
});
