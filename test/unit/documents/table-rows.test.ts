/**
 * Table rows: extraction (DOCX, ODT) makes a row with text in several cells one paragraph,
 * cells apart by a tab; the detectors read tabs as spaces while the masked text keeps them;
 * the masked DOCX export masks a row as one text and writes each part back into its own cell.
 */
import { describe, expect, it } from 'vitest';
import { applyMaskPlan } from '../../../core/chat/masking.js';
import { PlaceholderRegistry } from '../../../core/dlp/index.js';
import { extractText } from '../../../core/documents/extract.js';
import { planDocumentMask } from '../../../core/documents/mask-plans.js';
import { maskWordXml, type DocxMasker } from '../../../core/documents/masked-docx.js';
import { DOC_TYPES } from '../../../core/documents/types.js';
import { docxFixture, odtFixture } from '../../helpers/documents.js';

const texts = async (mime: string, bytes: Buffer) => (await extractText(mime, bytes)).paragraphs.map((p) => p.text);

const p = (text: string) => `<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`;
/** An empty cell holds an empty paragraph, as Word writes it. */
const tc = (...paragraphs: string[]) => `<w:tc><w:tcPr><w:tcW w:w="3000"/></w:tcPr>${paragraphs.map(p).join('') || '<w:p w:rsidR="00A1" w:rsidRDefault="00A1"/>'}</w:tc>`;
const tr = (...cells: string[]) => `<w:tr w:rsidR="00AB"><w:trPr><w:cantSplit/></w:trPr>${cells.join('')}</w:tr>`;
const tbl = (...rows: string[]) => `<w:tbl><w:tblPr/>${rows.join('')}</w:tbl>`;
/** docxFixture wraps its text in one paragraph: close it and open one at the end. */
const docxBody = (xml: string) => docxFixture(`</w:t></w:r></w:p>${xml}<w:p><w:r><w:t>`);

describe('extraction of tables', () => {
  it('makes a DOCX row one paragraph, cells apart by a tab, a cell\'s paragraphs by a line; a one-cell row keeps its paragraphs', async () => {
    const body = [
      p('Анкета'),
      tbl(
        tr(tc('Дата рождения'), tc('01.02.1980')),
        tr(tc('Адрес'), tc(), tc('г. Москва', 'ул. Ленина, д. 5')),
        tr(tc('Паспорт'), tc('4510 123456'), tc()),
        // A nested table's row is a paragraph of its cell.
        tr(tc('Счета'), `<w:tc>${tbl(tr(tc('Расчётный счёт'), tc('40817810099910004312')))}<w:p/></w:tc>`),
      ),
      // A layout table: one cell holding a contract.
      tbl(tr(tc('Статья 1. Предмет', 'Арендатор принимает квартиру.'))),
    ].join('');
    expect(await texts(DOC_TYPES.docx.mime, docxBody(body))).toEqual([
      'Анкета',
      'Дата рождения\t01.02.1980',
      'Адрес\tг. Москва\nул. Ленина, д. 5',
      'Паспорт\t4510 123456',
      'Счета\tРасчётный счёт\t40817810099910004312',
      'Статья 1. Предмет',
      'Арендатор принимает квартиру.',
    ]);
  });

  it('does the same for ODT rows, covered cells included', async () => {
    const cell = (text: string) => `<table:table-cell office:value-type="string"><text:p>${text}</text:p></table:table-cell>`;
    const table = `<table:table xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><table:table-column/><table:table-header-rows><table:table-row>${cell('Поле')}${cell('Значение')}</table:table-row></table:table-header-rows><table:table-row>${cell('Расчётный счёт')}<table:covered-table-cell/>${cell('40817810099910004312')}</table:table-row><table:table-row>${cell('Примечание')}</table:table-row></table:table>`;
    expect(await texts(DOC_TYPES.odt.mime, odtFixture(`<text:p>Анкета</text:p>${table}`))).toEqual(['Анкета', 'Поле\tЗначение', 'Расчётный счёт\t40817810099910004312', 'Примечание']);
  });
});

const masker = (registry = new PlaceholderRegistry()): DocxMasker => ({
  text: (value) => applyMaskPlan(planDocumentMask(value), registry).masked,
  person: (name) => registry.placeholder('PERSON', name),
});

describe('masking a row', () => {
  it('reads tabs as spaces and keeps them in the masked text', () => {
    const { text } = masker();
    // The passport's parts sit in four cells; its pattern spaces them with spaces.
    expect(text('Серия\t4510\tНомер\t123456')).toBe('Серия\t[PASSPORT_1]');
    expect(text('Дата рождения\t01.02.1980\tРасчётный счёт\t40817810099910004312')).toBe('Дата рождения\t[BIRTH_DATE_1]\tРасчётный счёт\t[BANK_ACCOUNT_1]');
  });

  it('masks a DOCX row whole and writes each placeholder into the cell its value starts in', () => {
    const xml = `<w:document xmlns:w="x"><w:body>${tbl(
      tr(tc('Фамилия'), tc('Имя'), tc('Отчество')),
      tr(tc('Петров'), tc('Пётр'), tc('Петрович')),
      tr(tc('Дата рождения'), tc('01.02.1980')),
    )}</w:body></w:document>`;
    const out = maskWordXml(xml, masker());
    const cells = [...out.matchAll(/<w:tc>.*?<\/w:tc>/g)].map(([c]) => [...c.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(''));
    expect(cells).toEqual(['Фамилия', 'Имя', 'Отчество', '[PERSON_1]', '', '', 'Дата рождения', '[BIRTH_DATE_1]']);
    // Only text changed: the rows, cells and their properties are as they were.
    expect(out.replace(/<w:t>[^<]*<\/w:t>/g, '')).toBe(xml.replace(/<w:t>[^<]*<\/w:t>/g, ''));
  });
});
