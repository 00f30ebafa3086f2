/**
 * A lived-in app for the accessibility and screenshot run, made through the pages: a user with
 * an answered question (with citations), an analysed document and a lawyer request; the lawyer
 * who took it; an admin. Everything shown is made up (no real person's data).
 */
import type { Browser, Page } from 'playwright-core';
import { SPECIALIZATION_CODES } from '../../../core/reviews/specializations.js';
import { lawyer } from '../../helpers/reviews.js';
import { adminAccount, signIn } from './admin-helpers.js';
import { ask, signUp, type WebStack } from './harness.js';

export const QUESTION = 'За сколько дней работодатель должен предупредить об увольнении по сокращению штата?';
export const ANSWER = [
  'При сокращении штата работодатель обязан предупредить работника персонально и под подпись **не менее чем за два месяца** до увольнения [1].',
  '',
  'Что ещё важно:',
  '- работнику должны предложить другую имеющуюся у работодателя работу, которую он может выполнять [1];',
  '- при увольнении выплачивается выходное пособие в размере среднего месячного заработка [2].',
  '',
  'Если порядок нарушен, увольнение можно оспорить в суде в течение месяца.',
].join('\n');

const LEASE = [
  'Договор аренды квартиры',
  'Смирнов Олег Игоревич, именуемый в дальнейшем «Арендодатель», и Кузнецова Мария Андреевна, именуемая в дальнейшем «Арендатор», заключили настоящий договор.',
  '1.1. Арендодатель передаёт Арендатору квартиру во временное пользование. Телефон Арендодателя +7 900 000-00-00.',
  '2.1. Арендная плата составляет 45 000 рублей в месяц.',
  '2.2. Срок аренды составляет 11 месяцев. Договор автоматически продлевается на тот же срок.',
  '3.1. За просрочку платы Арендатор уплачивает неустойку 1% за каждый день просрочки.',
  '3.2. Арендодатель вправе расторгнуть договор в одностороннем порядке.',
].join('\n');

/** What the model answers when asked to analyse the lease (the API adds the locators). */
const ANALYSIS = JSON.stringify({
  summary: 'Договор аренды квартиры на 11 месяцев с автоматическим продлением; плата 45 000 рублей в месяц.',
  parties: [{ name: 'Арендодатель', role: 'сдаёт квартиру', passage: 1 }, { name: 'Арендатор', role: 'снимает квартиру', passage: 1 }],
  key_terms: [{ term: 'Арендная плата', value: '45 000 рублей в месяц', passage: 1 }, { term: 'Срок', value: '11 месяцев с автопролонгацией', passage: 1 }],
  risks: [{ severity: 'high', text: 'Арендодатель может расторгнуть договор в одностороннем порядке', passage: 1 }, { severity: 'medium', text: 'Неустойка 1% в день за просрочку платы', passage: 1 }],
});

export interface Fixtures {
  guest: Page;
  user: Page;
  lawyer: Page;
  admin: Page;
  paths: { chat: string; document: string; article: string; review: string; editor: string };
}

const pathOf = (page: Page) => new URL(page.url()).pathname;

/** The user's part, all through the pages: a document analysed, a question answered, a lawyer asked. */
async function userSide(page: Page, stack: WebStack): Promise<Omit<Fixtures['paths'], 'editor'>> {
  await signUp(page, stack.url, 'demo');

  await page.click('header >> text=Документы');
  await page.setInputFiles('input[type=file]', { name: 'договор-аренды.txt', mimeType: 'text/plain', buffer: Buffer.from(LEASE) });
  await page.waitForSelector('tr[data-status=ready]', { timeout: 60_000 });
  await page.locator('tr[data-document-id] a').first().click();
  await page.waitForSelector('.doc-text');
  const document = pathOf(page);
  stack.ai.setDefault({ kind: 'text', text: ANALYSIS });
  await page.click('button:text("Проанализировать")');
  await page.waitForSelector('.analysis[data-analysis=ready]', { timeout: 30_000 });

  stack.ai.setDefault({ kind: 'text', text: ANSWER, chunks: 5 });
  await page.click('header >> text=Чаты');
  const reply = await ask(page, QUESTION);
  await page.waitForSelector(`${reply}[data-status=completed] button.cite[data-cite="2"]`, { timeout: 30_000 });
  const chat = pathOf(page);
  await page.click(`${reply} button.cite[data-cite="1"]`);
  const article = (await page.locator('.source a').getAttribute('href'))!;
  await page.click(`${reply} >> text=Спросить юриста`);
  await page.waitForSelector(`${reply} >> text=Запрос юристу отправлен`);

  await page.click('header >> text=Мои запросы юристу');
  const review = (await page.locator('.review-list li[data-review-id] a').first().getAttribute('href'))!;
  return { chat, document, article, review };
}

/** Logs `who` in on a page of its own browser context. */
async function signedIn(browser: Browser, url: string, who: { email: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, url, who);
  return page;
}

/** Needs the reviews' models bound to the stack's database (`operatorDb`) and the law library imported. */
export async function populate(stack: WebStack): Promise<Fixtures> {
  const context = () => stack.browser.newContext().then((c) => c.newPage());
  const [guest, user] = [await context(), await context()];

  // A lawyer who takes every kind of question, ready before the request comes in.
  const lawyerAccount = await lawyer(stack.url, 'lawyer', { specializations: [...SPECIALIZATION_CODES], capacity: 5 });

  const paths = await userSide(user, stack);

  // The lawyer accepts the request in the workspace.
  const desk = await signedIn(stack.browser, stack.url, lawyerAccount);
  await desk.click('header >> text=Кабинет юриста');
  const item = desk.locator('.review-list li[data-review-id]').first();
  await desk.waitForSelector('.review-list li [data-review-status=assigned]', { timeout: 60_000 });
  await item.locator('button:text("Принять")').click();
  await desk.waitForSelector('.review-list li [data-review-status=in_progress]');
  const editor = `/lawyer/reviews/${await item.getAttribute('data-review-id')}`;

  const admin = await signedIn(stack.browser, stack.url, await adminAccount(stack));
  return { guest, user, lawyer: desk, admin, paths: { ...paths, editor } };
}
