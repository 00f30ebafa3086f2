/**
 * Sources in a real browser: an answer's `[n]` opens the cited passage and its article in the
 * law library (as a dialog that Escape closes); the search box finds the codes too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, lawLibraryImported, signUp, startWebStack, type WebStack } from './harness.js';

let stack: WebStack;
beforeAll(async () => {
  stack = await startWebStack('webcite', { LAW_AUTOIMPORT: 'true' });
  await lawLibraryImported(stack.url);
}, 180_000);
afterAll(async () => stack?.close(), 60_000);

describe('citations and search', () => {
  it('opens a cited article from the answer', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Работодатель обязан предупредить работника заранее [1].', chunks: 3 });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'cite');
    const reply = await ask(page, 'За сколько дней работодатель должен предупредить об увольнении по сокращению штата?');
    await page.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    await page.click(`${reply} button.cite[data-cite="1"]`);
    const quote = (await page.locator('.source blockquote').textContent()) ?? '';
    expect(quote.length).toBeGreaterThan(10);
    // The passage is a dialog named by its citation: Escape closes it and the focus goes back
    // to the [1] that opened it, so Enter opens it again.
    const dialog = page.getByRole('dialog', { name: /^\[1\]/ });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator(`${reply} button.cite[data-cite="1"]`).evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.click('.source a');
    await page.waitForURL(/\/law\/[a-z]+\/[\d.]+$/);
    await page.waitForSelector('.law-article h1');
    // Its code by its Russian short name, its edition as a Russian date.
    expect(await page.locator('.law-article .muted').textContent()).toMatch(/^(ГК|ТК|ЖК|СК|ГПК|АПК|КАС|УК|ЗК|НК) РФ · редакция \d{2}\.\d{2}\.\d{4}$/);
    // The article holds the quoted passage.
    const article = (await page.locator('.law-article').textContent()) ?? '';
    expect(article.replace(/\s+/g, ' ')).toContain(quote.replace(/\s+/g, ' ').slice(0, 40));
    await page.close();
  }, 90_000);

  it('finds articles from the search box', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'search');
    await page.click('header >> text=Поиск');
    await page.fill('input[name=q]', 'расторжение трудового договора по инициативе работодателя');
    await page.selectOption('select[name=scope]', 'law');
    await page.click('.search-box button');
    await page.waitForSelector('.hits li a');
    await page.locator('.hits li a').first().click();
    await page.waitForSelector('.law-article h1');
    expect(page.url()).toMatch(/\/law\/[a-z]+\/[\d.]+$/);
    await page.close();
  }, 60_000);
});
