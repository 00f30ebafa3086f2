/**
 * Documents in a real browser: upload a DOCX and watch it go through the ingest stages to ready,
 * then analyse it; a failed second analysis says so and keeps the first one shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docxFixture } from '../../helpers/documents.js';
import { signUp, startWebStack, type WebStack } from './harness.js';

const SUMMARY = 'Договор аренды жилого помещения без указания срока.';
const ANALYSIS = JSON.stringify({
  summary: SUMMARY,
  parties: [{ name: 'Арендатор', role: 'снимает', passage: 1 }],
  key_terms: [{ term: 'Предмет', value: 'аренда', passage: 1 }],
  risks: [{ severity: 'low', text: 'Срок не указан', passage: 1 }],
});

let stack: WebStack;
beforeAll(async () => {
  stack = await startWebStack('webdocs');
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

describe('the documents page', () => {
  it('uploads a DOCX and shows its progress until it is ready, then its masked text and its analysis', async () => {
    const page = await stack.browser.newPage();
    await signUp(page, stack.url, 'docs');
    await page.click('header >> text=Документы');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'web-docx-')), 'договор.docx');
    fs.writeFileSync(file, docxFixture('Договор аренды. Арендатор: Петров Иван Сергеевич, телефон +7 903 123-45-67.'));
    await page.setInputFiles('input[type=file]', file);
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
    stack.ai.setDefault({ kind: 'text', text: 'не JSON' });
    await page.click('button:text("Проанализировать")');
    await page.waitForSelector('.analysis[data-analysis=failed]', { timeout: 30_000 });
    const shown = await page.locator('.analysis').textContent();
    expect(shown).toContain('Анализ не удался');
    expect(shown).toContain(SUMMARY);
    await page.close();
  }, 120_000);
});
