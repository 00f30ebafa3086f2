/**
 * The plan page in a real browser against fake YooKassa and Stripe: subscribe, pay on the
 * provider's page, come back to the return page, and see the new plan, its limits and the
 * payment in the history; a declined payment leaves the free plan; cancel at period end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startFakePayments } from '../../helpers/billing.js';
import { serveCheckout } from './billing-helpers.js';
import { signUp, startWebStack, type WebStack } from './harness.js';

let fakes: Awaited<ReturnType<typeof startFakePayments>>;
let stack: WebStack;
beforeAll(async () => {
  fakes = await startFakePayments();
  stack = await startWebStack('webbilling', fakes.env);
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await fakes?.close();
}, 60_000);

async function openPlans(tag: string): Promise<Page> {
  const page = await stack.browser.newPage();
  await serveCheckout(page, fakes, stack.url);
  await signUp(page, stack.url, tag);
  await page.click('header >> text=Тариф');
  await page.waitForSelector('.current-plan');
  return page;
}

const currentPlan = (page: Page) => page.locator('.current-plan h2').textContent();

describe('the plan page', () => {
  it('shows the free plan with its usage, subscribes through YooKassa and shows the new plan and the payment', async () => {
    const page = await openPlans('yoo');
    expect(await currentPlan(page)).toContain('Бесплатный');
    expect(await page.locator('.meter', { hasText: 'Вопросы сегодня' }).textContent()).toContain('0 / 20');
    expect(await page.locator('.payments').count()).toBe(0);
    expect(await page.textContent('main')).toContain('Платежей пока не было');

    await page.check('input[name=provider][value=yookassa]');
    await page.click('button:has-text("Подключить: Профессиональный")');
    await page.waitForURL(/yoomoney\.test/);
    await page.click('text=Оплатить');

    await page.waitForURL(/\/billing\/return$/);
    await page.waitForSelector('[data-outcome=succeeded]');
    expect(await page.textContent('.payment-outcome')).toContain('Оплата прошла');
    await page.locator('.current-plan h2', { hasText: 'Профессиональный' }).waitFor();
    expect(await page.textContent('.current-plan')).toContain('активна');
    expect(await page.locator('.meter', { hasText: 'Вопросы сегодня' }).textContent()).toContain('0 / 300');
    const row = page.locator('.payments tr[data-status=succeeded]');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/1\s990\s₽.*ЮKassa.*оплачен/);

    // Still there after a reload of the plan page.
    await page.goto(`${stack.url}/billing`);
    await page.waitForSelector('.current-plan');
    expect(await currentPlan(page)).toContain('Профессиональный');
    await page.close();
  }, 120_000);

  it('keeps the free plan when the payment is declined at the provider', async () => {
    const page = await openPlans('decline');
    await page.click('button:has-text("Подключить: Бизнес")');
    await page.waitForURL(/yoomoney\.test/);
    await page.click('text=Отказаться');
    await page.waitForSelector('[data-outcome=canceled]');
    expect(await page.textContent('.payment-outcome')).toContain('деньги не списаны');
    expect(await currentPlan(page)).toContain('Бесплатный');
    expect(await page.textContent('.payments tr[data-status=canceled]')).toContain('отменён');
    await page.close();
  }, 120_000);

  it('subscribes through Stripe, cancels at the end of the period, and resumes without a new charge', async () => {
    const page = await openPlans('stripe');
    await page.check('input[name=provider][value=stripe]');
    await page.click('button:has-text("Подключить: Бизнес")');
    await page.waitForURL(/checkout\.stripe\.test/);
    await page.click('text=Оплатить');
    await page.waitForSelector('[data-outcome=succeeded]');
    await page.locator('.current-plan h2', { hasText: 'Бизнес' }).waitFor();
    expect(await page.textContent('.payments tr[data-status=succeeded]')).toContain('Stripe');

    page.once('dialog', (d) => void d.accept());
    await page.click('button:has-text("Отменить подписку")');
    await page.waitForSelector('.current-plan .notice');
    expect(await page.textContent('.current-plan .notice')).toContain('не продлится');
    expect(await page.locator('button:has-text("Отменить подписку")').count()).toBe(0);

    // Changed their mind: the plan goes on, with nothing charged again.
    await page.click('button:has-text("Возобновить подписку")');
    await page.locator('button:has-text("Отменить подписку")').waitFor();
    expect(await page.locator('.current-plan .notice').count()).toBe(0);
    await page.reload();
    await page.locator('button:has-text("Отменить подписку")').waitFor();
    expect(await page.locator('.payments tr[data-status]').count()).toBe(1);
    await page.close();
  }, 120_000);
});
