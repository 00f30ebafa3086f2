/**
 * The admin section in a real browser: the reports chart what another user just did, an
 * account is found and blocked (its session ends), and the audit trail filters by action.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/http.js';
import { adminAccount, signIn } from './admin-helpers.js';
import { ask, signUp, startWebStack, type WebStack } from './harness.js';

let stack: WebStack;
beforeAll(async () => {
  stack = await startWebStack('webadmin');
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

describe('the admin section', () => {
  it('charts usage from real activity, blocks a user, and filters the audit trail by action', async () => {
    stack.ai.setDefault({ kind: 'text', text: 'Товар надлежащего качества можно вернуть в течение 14 дней.', chunks: 3 });
    // Another person asks a question in a browser of their own.
    const userPage = await (await stack.browser.newContext()).newPage();
    const person = await signUp(userPage, stack.url, 'person');
    const reply = await ask(userPage, 'Как вернуть товар?');
    await userPage.waitForSelector(`${reply}[data-status=completed]`, { timeout: 30_000 });

    const admin = await adminAccount(stack);
    const page = await (await stack.browser.newContext()).newPage();
    await signIn(page, stack.url, admin);

    // Reports: the usage chart draws a point per day and counts the question asked.
    await page.click('header >> text=Администрирование');
    const usage = page.locator('figure[data-chart="Активность по дням"]');
    await usage.waitFor();
    expect(await usage.locator('li[data-series=messages] .chart-total').textContent()).toBe('1');
    expect(await usage.locator('li[data-series=active_users] .chart-total').textContent()).toBe('1');
    expect(await usage.locator('svg g[data-series=messages] circle').count()).toBe(30);
    expect(await usage.locator('svg g[data-series=messages] circle[data-value="1"]').count()).toBe(1);
    const tokens = page.locator('figure[data-chart="Токены ИИ по провайдерам"]');
    expect(Number(await tokens.locator('svg rect[data-series=openai]').last().getAttribute('data-value'))).toBeGreaterThan(0);
    expect(await page.locator('figure[data-chart="Токены ИИ за период"] svg g[data-row=openai]').count()).toBe(1);
    expect(await page.locator('[data-stat=admin_slaTotal] dd').textContent()).toBe('0');

    // Users: find the person and block them, after a confirmation that says what follows.
    await page.click('nav.tabs >> text=Пользователи');
    await page.fill('input[name=q]', person.email);
    await page.click('form[role=search] button[type=submit]');
    const row = page.locator(`tr[data-user-id]:has-text("${person.email}")`);
    await expect.poll(() => page.locator('tr[data-user-id]').count()).toBe(1);
    const personId = (await row.getAttribute('data-user-id'))!;
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await row.locator('button:text("Заблокировать")').click();
    await page.waitForSelector('tr[data-status=blocked]');
    expect(asked).toContain('сеансы завершатся');
    expect(await row.textContent()).toContain('заблокирован');

    // The blocked person's next request fails: their session is not renewed, and sign-in is refused.
    await userPage.reload();
    await userPage.waitForURL(/\/login$/);
    await signInRefused(userPage, person);

    // Audit: every entry first; filtered by action, only the block, by this admin, of this person.
    await page.click('nav.tabs >> text=Журнал аудита');
    await page.waitForSelector('tr[data-action="auth.register"]');
    await page.fill('input[name=action]', 'admin.user_update');
    await page.click('button:text("Применить")');
    await expect.poll(() => page.locator('tr[data-action="auth.register"]').count()).toBe(0);
    const entries = page.locator('tr[data-action]');
    expect(await entries.count()).toBe(1);
    expect(await entries.first().textContent()).toContain(personId);
    expect(await entries.first().textContent()).toContain(admin.id);
    expect(page.url()).toContain('action=admin.user_update');

    // Plans: a new limit is saved after a confirmation, and the public plan list carries it.
    await page.click('nav.tabs >> text=Тарифы');
    const pro = page.locator('form[data-plan=pro]');
    await pro.locator('input[name=messages_per_day]').fill('444');
    page.once('dialog', (d) => void d.accept());
    await pro.locator('button[type=submit]').click();
    await pro.locator('[role=status]:text("Сохранено")').waitFor();
    const plans = (await request(stack.url, 'GET', '/api/plans')).body.items as Array<{ code: string; limits: { messages_per_day: number } }>;
    expect(plans.find((p) => p.code === 'pro')?.limits.messages_per_day).toBe(444);
  }, 120_000);
});

async function signInRefused(page: Page, who: { email: string; password: string }) {
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[role=alert]');
  expect(page.url()).toMatch(/\/login$/);
}
