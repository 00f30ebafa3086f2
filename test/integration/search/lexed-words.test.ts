/**
 * `lexedWordsSql` lexes a question as `ts_debug('russian', …)` does (the search's terms come
 * from it), without ts_debug's cost: the same words, in the same order, with the same lexemes,
 * whatever the parser makes of the text.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { lexedWordsSql, queryTerms } from '../../../core/search/query.js';
import { testEnv } from '../../helpers/env.js';

const t = testEnv('lexedwords');
const db = t.db();
afterAll(async () => {
  await db.destroy();
  await t.cleanup();
});

const TEXTS = [
  'Можно ли расторгнуть договор аренды досрочно?',
  'Статья 81 ТК РФ: увольнение по-собственному, сине-зелёный, т.д. и т.п.',
  'Contract termination under English law, clause 3.5, 10% penalty, version 1.2.3',
  'e-mail: ivan@example.com, https://consultant.ru/document/cons_doc_LAW_5142/, файл C:\\docs\\иск.docx',
  'и а но или', // stop words only
  '',
  '12345 -7 3.14 0x1F ёжик ЁЛКА',
];

describe('lexedWordsSql', () => {
  it.each(TEXTS)('lexes %j as ts_debug does', async (text) => {
    const { rows: [{ words }] } = await db.raw(`SELECT ${lexedWordsSql('?')} AS words`, [text]);
    const { rows: debug } = await db.raw(`SELECT token, lexemes FROM ts_debug('russian', ?) WHERE array_length(lexemes, 1) > 0`, [text]);
    expect(words).toEqual(debug);
  });

  it('gives the search its terms, stop words left out', async () => {
    const terms = await queryTerms(db, 'Можно ли расторгнуть договор аренды досрочно?');
    expect(terms.map((term) => term.stem)).toEqual(expect.arrayContaining(['расторгнут', 'договор', 'аренд', 'досрочн']));
    expect(terms.map((term) => term.word)).not.toContain('ли');
  });
});
