/** Extraction limits and the chunker: Russian headings, the size cap, paragraph boundaries. */
import { describe, expect, it } from 'vitest';
import { CHUNK_CHARS, chunkParagraphs, headingOf } from '../../../core/documents/chunk.js';
import { extractText, IngestError } from '../../../core/documents/extract.js';
import { DOC_TYPES } from '../../../core/documents/types.js';
import { cp1251, docxFixture, zipFixture } from '../../helpers/documents.js';

const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => (err instanceof IngestError ? err.code : String(err)));

describe('extractText', () => {
  it('reads UTF-8 and Windows-1251 text, a line per paragraph', async () => {
    const expected = [{ text: 'Статья 1. Предмет.' }, { text: 'Текст статьи.' }];
    expect((await extractText('text/plain', Buffer.from('Статья 1. Предмет.\n\n  Текст   статьи.\n'))).paragraphs).toEqual(expected);
    expect((await extractText('text/plain', cp1251('Статья 1. Предмет.\r\nТекст статьи.'))).paragraphs).toEqual(expected);
  });

  it('unescapes DOCX text', async () => {
    expect((await extractText(DOC_TYPES.docx.mime, docxFixture('ООО &quot;Ромашка&quot; &amp; ИП'))).paragraphs).toEqual([{ text: 'ООО "Ромашка" & ИП' }]);
  });

  it('fails a DOCX whose main part inflates past the cap with archive_limits', async () => {
    const bomb = zipFixture([{ name: '[Content_Types].xml', data: Buffer.from('<Types/>') }, { name: 'word/document.xml', data: Buffer.alloc(51 * 1024 * 1024, 0x20), declaredSize: 1000 }]);
    expect(await failure(extractText(DOC_TYPES.docx.mime, bomb))).toBe('archive_limits');
  });

  it('fails an image that does not decode with ocr_failed, and a broken PDF with extract_failed', async () => {
    expect(await failure(extractText('image/png', Buffer.from('x')))).toBe('ocr_failed');
    expect(await failure(extractText('application/pdf', Buffer.from('%PDF-1.4\nnot really\n')))).toBe('extract_failed');
  });
});

describe('chunkParagraphs', () => {
  it('opens a chunk at sections, chapters, articles and numbered clauses', () => {
    expect(['Раздел I. Общие положения', 'ГЛАВА 2 Сделки', 'Статья 15.1. Право', '§ 3 Купля-продажа', '3. Цена', '3.2. Оплата', '3.2 Оплата', '2024 год был трудным', 'Стороны договорились'].map(headingOf))
      .toEqual(['Раздел I', 'Глава 2', 'Статья 15.1', '§ 3', '3', '3.2', '3.2', undefined, undefined]);
    const chunks = chunkParagraphs([{ text: 'Преамбула' }, { text: '1. Предмет' }, { text: 'Текст' }, { text: '1.1. Подпункт' }, { text: 'Глава 2' }]);
    expect(chunks.map((c) => [c.text, c.locator])).toEqual([
      ['Преамбула', { paragraph: 0 }],
      ['1. Предмет\n\nТекст', { paragraph: 1, clause: '1' }],
      ['1.1. Подпункт', { paragraph: 3, clause: '1.1' }],
      ['Глава 2', { paragraph: 4, clause: 'Глава 2' }],
    ]);
  });

  it('locates each short clause at its own number, and a title at the clause under it', () => {
    const chunks = chunkParagraphs([
      { text: 'Договор аренды' },
      { text: '1. Арендатор вносит плату ежемесячно до 5 числа.' },
      { text: '2. За просрочку платежа начисляется неустойка 0,5% в день.' },
      { text: '3. Предмет спора' },
      { text: '3.1. Споры решаются в суде по месту нахождения имущества.' },
      { text: '3.2. Претензионный порядок обязателен:' },
      { text: 'срок ответа на претензию 10 дней.' },
    ]);
    expect(chunks.map((c) => [c.locator.clause, c.text.split('\n\n')[0]])).toEqual([
      [undefined, 'Договор аренды'],
      ['1', '1. Арендатор вносит плату ежемесячно до 5 числа.'],
      ['2', '2. За просрочку платежа начисляется неустойка 0,5% в день.'],
      ['3.1', '3. Предмет спора'],
      ['3.2', '3.2. Претензионный порядок обязателен:'],
    ]);
    expect(chunks[3]!.text).toBe('3. Предмет спора\n\n3.1. Споры решаются в суде по месту нахождения имущества.');
  });

  it('gives each chunk the titles it sits under, outermost first, and leaves out clauses that run on', () => {
    const chunks = chunkParagraphs([
      { text: 'Раздел 1. Общие условия' }, { text: 'Глава 2. Аренда' }, { text: '5. Порядок расторжения договора' },
      { text: '5.1. Договор может быть расторгнут досрочно по соглашению сторон, а также в иных случаях, предусмотренных законом, с предупреждением другой стороны не позднее чем за тридцать календарных дней до даты расторжения.' },
      { text: 'Глава 3. Ответственность' }, { text: 'Текст' },
    ]);
    // Title lines stay with the text under them: no chunk is a bare heading.
    expect(chunks.map((c) => [c.heading, c.locator.clause, c.text.split('\n\n').length])).toEqual([
      ['Раздел 1. Общие условия › Глава 2. Аренда › 5. Порядок расторжения договора', '5.1', 4],
      ['Раздел 1. Общие условия › Глава 3. Ответственность', 'Глава 3', 2],
    ]);
  });

  it(`keeps chunks within ${CHUNK_CHARS} characters, cut at paragraphs and then at sentences`, () => {
    const sentence = 'Арендатор обязан своевременно вносить арендную плату. ';
    const paragraphs = [{ text: 'Статья 1. Обязанности', page: 1 }, ...Array.from({ length: 8 }, () => ({ text: sentence.repeat(5).trim(), page: 2 })), { text: sentence.repeat(60).trim(), page: 3 }];
    const chunks = chunkParagraphs(paragraphs);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(CHUNK_CHARS);
    expect(chunks.map((c) => c.locator.clause)).toEqual(chunks.map(() => 'Статья 1'));
    expect(chunks.every((c) => c.text.endsWith('.'))).toBe(true);
    expect(chunks.at(-1)!.locator.page).toBe(3);
    expect(chunks.map((c) => c.text).join(' ').replace(/\s+/g, ' ')).toBe(paragraphs.map((p) => p.text).join(' '));
  });
});
