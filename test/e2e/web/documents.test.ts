/**
 * Documents in a real browser: upload a DOCX and watch it go through the ingest stages to ready,
 * then analyse it; a failed second analysis says so and keeps the first one shown. Upload and
 * download renew a refused token; an upload a proxy refuses says so. A page whose code is gone
 * after a deploy reloads once, then offers a reload under the header instead of a blank page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docxFixture } from '../../helpers/documents.js';
import { signUp, startWebStack, type WebStack } from './harness.js';
import { apiCall, refuseOnce } from './route-helpers.js';

const SUMMARY = 'Договор аренды жилого помещения без указания срока.';
const ANALYSIS = JSON.stringify({
  summary: SUMMARY,
  parties: [{ name: 'Арендатор', role: 'снимает', passage: 1 }],
  key_terms: [{ term: 'Предмет', value: 'аренда', passage: 1 }],
  risks: [{ severity: 'low', text: 'Срок не указан', passage: 2 }],
});

let stack: WebStack;
const docxFile = (text: string | string[]) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'web-docx-')), 'договор.docx');
  fs.writeFileSync(file, docxFixture(text));
  return file;
};
beforeAll(async () => {
  stack = await startWebStack('webdocs');
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

describe('the documents page', () => {
  it('uploads a DOCX and shows its progress until it is ready, then its masked text and its analysis', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'docs');
    await page.click('header >> text=Документы');
    // Two passages: the second opens at the third paragraph, with its article.
    await page.setInputFiles('input[type=file]', docxFile(['Договор аренды.', 'Арендатор: Петров Иван Сергеевич, телефон +7 903 123-45-67.', 'Статья 2. Срок аренды', 'Срок договором не определён.']));
    const row = page.locator('tr[data-document-id]').first();
    await row.waitFor();
    await page.waitForSelector('tr[data-status=ready]', { timeout: 60_000 });
    expect(await row.textContent()).toContain('готов');
    await row.locator('a').click();
    await page.waitForSelector('.doc-text');
    const text = await page.locator('.doc-text').textContent();
    expect(text).toContain('Договор аренды');
    expect(text).not.toContain('Петров');
    expect(text).not.toContain('123-45-67');
    expect(await page.locator('.doc-text .chip').count()).toBeGreaterThan(0);

    stack.ai.setDefault({ kind: 'text', text: ANALYSIS });
    await page.click('button:text("Проанализировать")');
    await page.waitForSelector('.analysis[data-analysis=ready]', { timeout: 30_000 });
    expect(await page.locator('.analysis').textContent()).toContain(SUMMARY);
    // A risk's place names the paragraph as a reader counts, and leads to it in the text.
    const place = page.locator('.analysis a', { hasText: 'абз. 3' }).first();
    await place.click();
    expect(await page.locator('.doc-text :target').textContent()).toContain('Статья 2. Срок аренды');
    expect(await page.locator('.analysis a', { hasText: 'абз. 1' }).count()).toBeGreaterThan(0);
    stack.ai.setDefault({ kind: 'text', text: 'не JSON' });
    await page.click('button:text("Проанализировать")');
    await page.waitForSelector('.analysis[data-analysis=failed]', { timeout: 30_000 });
    const shown = await page.locator('.analysis').textContent();
    expect(shown).toContain('Анализ не удался');
    expect(shown).toContain(SUMMARY);
    await page.close();
  }, 120_000);

  it('uploads and downloads with a token the server refused (renewed on the way), and says when a proxy refuses an upload', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'docs-session');
    await page.click('header >> text=Документы');
    await page.route('**/api/documents', (route) => (route.request().method() === 'POST'
      ? route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body>502 Bad Gateway</body></html>' })
      : route.fallback()));
    await page.setInputFiles('input[type=file]', docxFile('Договор займа.'));
    await page.waitForSelector('[role=alert]:has-text("договор.docx")');
    expect(await page.locator('p.progress').count()).toBe(0);

    await page.unroute('**/api/documents');
    await refuseOnce(page, apiCall('POST', '/api/documents'), 401);
    await page.setInputFiles('input[type=file]', docxFile('Договор займа.'));
    const row = page.locator('tr[data-document-id]').first();
    await row.waitFor();
    await row.locator('a').click();
    await refuseOnce(page, apiCall('GET', '/download'), 401);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:text("Скачать")')]);
    expect(download.suggestedFilename()).toBe('договор.docx');
    await page.close();
  }, 60_000);

  it('reloads once by itself when the page\'s code is gone after a deploy, then offers a reload under the header', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'deploy');
    const gone = /\/assets\/Documents-[^/]+\.js$/;
    await page.route(gone, (route) => route.fulfill({ status: 404, body: 'Not Found' }));
    let loads = 0;
    page.on('load', () => loads++);
    await page.click('header >> text=Документы');
    const failed = page.locator('main [role=alert]');
    await failed.waitFor();
    expect(await failed.textContent()).toContain('Страницу не удалось загрузить');
    expect(loads).toBe(1);
    expect(await page.locator('header').isVisible()).toBe(true);
    await page.unroute(gone);
    await failed.locator('button').click();
    await page.waitForSelector('h1:text("Документы")');
    await page.close();
  }, 60_000);
});
