/**
 * "Мои данные" in a real browser: consents per purpose (processing only through erasure), the
 * export built live and downloaded as a ZIP with the profile, and the account's erasure
 * confirmed with the password, followed to its end, after which the person is signed out, told
 * so, and cannot sign in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { readZipEntry } from '../../../core/documents/zip.js';
import { signUp, startWebStack, type WebStack } from './harness.js';

let stack: WebStack;
beforeAll(async () => {
  stack = await startWebStack('webprivacy');
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

describe('my data', () => {
  it('grants and withdraws consents, exports the data as a ZIP, and erases the account', async () => {
    const page = await stack.browser.newPage();
    const { email, password } = await signUp(page, stack.url, 'privacy');
    await page.click('header >> text=Мои данные');

    // Consents: processing is given and has no withdraw button; the others toggle.
    const processing = page.locator('li[data-purpose=processing]');
    await processing.waitFor();
    expect(await processing.getAttribute('data-granted')).toBe('true');
    expect(await processing.locator('button').count()).toBe(0);
    expect(await processing.textContent()).toContain('удалив аккаунт');
    const marketing = page.locator('li[data-purpose=marketing]');
    expect(await marketing.textContent()).toContain('не давалось');
    await marketing.locator('button:has-text("Дать согласие")').click();
    await page.waitForSelector('li[data-purpose=marketing][data-granted=true]');
    await page.locator('li[data-purpose=ai_providers_abroad] button:has-text("Отозвать")').click();
    await page.waitForSelector('li[data-purpose=ai_providers_abroad][data-granted=false]');
    expect(await page.textContent('li[data-purpose=ai_providers_abroad]')).toContain('отозвано');

    // The export: built by a job, followed live, then downloaded with the session's token.
    await page.click('button:has-text("Подготовить архив")');
    await page.waitForSelector('.export-state[data-status=ready]', { timeout: 60_000 });
    expect(await page.textContent('.export-state')).toContain('Архив готов');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Скачать архив (ZIP)")')]);
    const zip = fs.readFileSync((await download.path())!);
    const profile = JSON.parse(readZipEntry(zip, 'profile.json', 1024 * 1024)!.toString('utf8'));
    expect(profile).toMatchObject({ email, name: 'Анна' });
    expect(readZipEntry(zip, 'consents.json', 1024 * 1024)?.toString('utf8')).toContain('marketing');

    // Erasure: the consequences are spelled out; a wrong password is refused.
    const erasure = page.locator('section.erasure');
    expect(await erasure.textContent()).toMatch(/нельзя отменить[\s\S]*сеансы[\s\S]*налоговое законодательство/);
    await page.click('button:has-text("Удалить аккаунт…")');
    const confirm = page.locator('button:has-text("Удалить навсегда")');
    expect(await confirm.isDisabled()).toBe(true);
    await page.fill('input[name=erase-password]', 'not my password');
    await page.check('input[name=erase-understand]');
    await confirm.click();
    await page.waitForSelector('section.erasure [role=alert]');
    expect(await page.textContent('section.erasure [role=alert]')).toContain('Неверный пароль');

    await page.fill('input[name=erase-password]', password);
    await confirm.click();
    // The page follows the erasure to its end, then signs out and says it is done.
    await page.waitForURL(/\/login$/);
    await page.waitForSelector('main.auth [role=status]');
    expect(await page.textContent('main.auth [role=status]')).toBe('Ваш аккаунт и данные удалены.');

    // The account is gone: signing in again is refused.
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('main.auth [role=alert]');
    expect(page.url()).toMatch(/\/login$/);
    expect(await page.locator('header').count()).toBe(0);
    await page.close();
  }, 180_000);
});
