/**
 * Lawyer review in real browsers: a user asks in the chat and presses "Спросить юриста"; a
 * lawyer in a second browser context sets up a profile, sees the review arrive, accepts it,
 * corrects the answer side by side and completes it; the user watches the request move live,
 * sees the lawyer's answer in the chat and rates the work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../core/db/knex.js';
import { ask, signUp, startWebStack, type WebStack } from './harness.js';
import { operatorDb, signInAsLawyer } from './reviews-helpers.js';

const ANSWER = 'Работодатель вправе уволить работника только по основаниям из **ТК РФ**.';
const CORRECTED = 'Увольнение без основания незаконно: обратитесь в **трудовую инспекцию** или в суд в течение месяца.';
let stack: WebStack;
let db: Db;

beforeAll(async () => {
  stack = await startWebStack('webreviews');
  db = operatorDb(stack);
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  await stack?.close();
}, 60_000);

describe('lawyer review in the browser', () => {
  it('a user asks a lawyer, a lawyer in another context corrects the answer, the user sees it live and rates it', async () => {
    stack.ai.setDefault({ kind: 'text', text: ANSWER });

    // The user: a question, its answer, and "Спросить юриста" under it.
    const userContext = await stack.browser.newContext();
    const chat = await userContext.newPage();
    await signUp(chat, stack.url, 'asks-lawyer');
    const reply = await ask(chat, 'Меня уволили без причины. Это законно?');
    await chat.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    await chat.click(`${reply} >> text=Спросить юриста`);
    await chat.waitForSelector(`${reply} >> text=Запрос юристу отправлен`);

    // The user's requests page, open while the lawyer works: it follows the review live.
    const requests = await userContext.newPage();
    await requests.goto(stack.url);
    await requests.click('header >> text=Мои запросы юристу');
    const row = requests.locator('.review-list li[data-review-id]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Ответ до');
    await row.locator('.snippet').waitFor();
    expect(await row.textContent()).toContain('Меня уволили без причины');
    await row.locator('a').click();
    await requests.waitForSelector('.review-page');
    expect(await requests.locator('[data-subject=answer]').textContent()).toContain('Работодатель вправе уволить');

    // The lawyer, in a browser context of their own.
    const lawyerContext = await stack.browser.newContext();
    const desk = await lawyerContext.newPage();
    await signInAsLawyer(desk, stack);
    expect(await desk.locator('header').textContent()).not.toContain('Мои запросы юристу');
    await desk.click('header >> text=Кабинет юриста');
    await desk.waitForSelector('.lawyer-profile input[name=specialization]');
    await desk.click('text=Выбрать все'); // whatever the classification, the review fits
    await desk.fill('input[name=capacity]', '2');
    await desk.click('.lawyer-profile button[type=submit]');
    await desk.waitForSelector('text=Профиль сохранён');

    // The review arrives in the queue by itself, with the accept deadline counting down.
    const item = desk.locator('.review-list li[data-review-id]').first();
    await desk.waitForSelector('.review-list li [data-review-status=assigned]', { timeout: 60_000 });
    expect(await item.textContent()).toContain('Принять до');
    await requests.waitForSelector('[data-review-status=assigned]');
    await item.locator('button:text("Принять")').click();
    await desk.waitForSelector('.review-list li [data-review-status=in_progress]');
    await requests.waitForSelector('[data-review-status=in_progress]');

    // The side-by-side editor: the assistant's answer on the left, the correction on the right.
    await item.locator('a:text("Открыть")').click();
    await desk.waitForSelector('.review-editor .editor-original');
    expect(await desk.locator('.editor-original [data-subject=answer]').textContent()).toContain('Работодатель вправе уволить');
    expect(await desk.inputValue('textarea[name=corrected]')).toContain('Работодатель вправе уволить');
    await desk.fill('textarea[name=corrected]', CORRECTED);
    expect(await desk.locator('[data-preview=corrected] strong').textContent()).toBe('трудовую инспекцию');
    expect(await desk.isChecked('input[name=verdict][value=corrected]')).toBe(true);
    await desk.fill('textarea[name=comment]', 'Ассистент не сказал, куда обращаться и в какой срок.');
    await desk.click('button:text("Завершить проверку")');
    await desk.waitForSelector('.review-editor [data-review-status=completed]');

    // The user sees the conclusion arrive on the open page, and the lawyer's answer in the chat.
    await requests.waitForSelector('[data-review-status=completed]', { timeout: 15_000 });
    expect(await requests.locator('.review-result').textContent()).toContain('Ответ исправлен');
    expect(await requests.locator('[data-result=corrected] strong').textContent()).toBe('трудовую инспекцию');
    const lawyerMessage = chat.locator('article.message.lawyer');
    await lawyerMessage.waitFor({ timeout: 15_000 });
    expect(await lawyerMessage.textContent()).toContain('Увольнение без основания незаконно');
    expect(await lawyerMessage.locator('.sender').textContent()).toBe('Юрист · Ответ исправлен');
    // After a reload the answer still says it went to a lawyer.
    await chat.reload();
    await chat.waitForSelector(`${reply} >> text=Запрос юристу отправлен`);

    // And rates it.
    await requests.click('.stars label:nth-of-type(4)');
    await requests.fill('textarea[name=rating_comment]', 'Спасибо, всё понятно');
    await requests.click('button:text("Отправить оценку")');
    await requests.waitForSelector('.review-rating[data-rated="4"]');
    expect(await requests.locator('.review-rating').textContent()).toContain('Спасибо, всё понятно');

    // The lawyer's finished reviews show the rating too.
    await desk.click('text=← Кабинет юриста');
    await desk.waitForSelector('.review-list li >> text=4/5');
    await userContext.close();
    await lawyerContext.close();
  }, 180_000);

  it('a user cancels an open request after confirming, and it shows as cancelled', async () => {
    stack.ai.setDefault({ kind: 'text', text: ANSWER });
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'cancels');
    const reply = await ask(page, 'Можно ли вернуть товар без чека?');
    await page.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });
    await page.click(`${reply} >> text=Спросить юриста`);
    await page.waitForSelector(`${reply} >> text=Запрос юристу отправлен`);
    await page.click('header >> text=Мои запросы юристу');
    await page.locator('.review-list li[data-review-id] a').first().click();
    await page.waitForSelector('.review-page');
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.click('button:text("Отменить запрос")');
    await page.waitForSelector('.review-page h1 [data-review-status=cancelled]');
    expect(asked).toContain('Отменить запрос юристу?');
    expect(await page.locator('button:text("Отменить запрос")').count()).toBe(0);
    await page.close();
  }, 90_000);
});
