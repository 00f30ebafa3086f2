/**
 * The masked DOCX export beyond the body: people (word/people.xml), the company and manager
 * (docProps/app.xml), custom properties (docProps/custom.xml), document variables
 * (word/settings.xml), pictures (a scanned passport, the thumbnail) and their alt text, building
 * blocks (word/glossary), an embedded spreadsheet, a hyperlink's tooltip, a simple field's code,
 * a customXml data store, a macro project, a chart's labels and a SmartArt diagram. None of
 * their values is in any entry of the exported file, which is still a consistent package:
 * every entry inflates, has a content type, and every relationship points at an entry.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkZip, readZipEntry } from '../../../core/documents/zip.js';
import { waitFor } from '../../e2e/chat/harness.js';
import { cyrillicPdf, rasterize, upload, zipFixture } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const AUTHOR = 'Иванов Иван Иванович';
const USER_ID = 'ivan.ivanov@corp.ru';
const MANAGER = 'Петрова Анна Викторовна';
const PASSPORT = '4510 123456';
const DOC_VAR = 'Сидоров Павел Игоревич, тел. +7 916 555-44-33';
const SIGNATURE = 'Исполнитель: Кузнецов Олег Николаевич';
const TOOLTIP_EMAIL = 'sidorov.pavel@mail.ru';
const FIELD_EMAIL = 'kuzmina.olga@yandex.ru';
const STORE_NAME = 'Григорьев Степан Ильич';
const STORE_CARD = '4276 3800 1234 5679';
const CONTROL_PHONE = '+7 916 222-33-44';
const FORM_EMAIL = 'morozova.elena@mail.ru';
const BIRTH = '1985-03-12';
const CHART_PERSON = 'Соколов Дмитрий Андреевич';
const CHART_PHONE = '+7 903 111-22-33';
const DIAGRAM_PERSON = 'Волкова Мария Сергеевна';
const RAW = ['Соколов', '111-22-33', 'Волкова', '222-33-44', 'morozova', BIRTH, 'Иванов', 'ivan.ivanov', 'corp.ru', 'Петрова', 'Анна', '4510', '123456', 'Сидоров', '555-44-33', 'Кузнецов', 'sidorov.pavel', 'kuzmina', 'Григорьев', '4276'];

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const W15 = 'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_R = 'http://schemas.openxmlformats.org/package/2006/relationships';
const xml = (s: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${s}`);

const scan = rasterize(cyrillicPdf([`Паспорт ${PASSPORT}`, AUTHOR]), 'png', 50);
const photo = rasterize(cyrillicPdf([AUTHOR]), 'jpeg', 50);

/** A one-page DOCX whose personal data sits outside the body's text. */
function packedDocx(): Buffer {
  const types = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/><Default Extension="xlsx" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>${[
    ['/word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'],
    ['/word/settings.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml'],
    ['/word/people.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml'],
    ['/word/glossary/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.glossary+xml'],
    ['/docProps/core.xml', 'application/vnd.openxmlformats-package.core-properties+xml'],
    ['/docProps/app.xml', 'application/vnd.openxmlformats-officedocument.extended-properties+xml'],
    ['/docProps/custom.xml', 'application/vnd.openxmlformats-officedocument.custom-properties+xml'],
    ['/word/charts/chart1.xml', 'application/vnd.openxmlformats-officedocument.drawingml.chart+xml'],
    ['/word/diagrams/data1.xml', 'application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml'],
  ].map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`).join('')}</Types>`;
  const rels = (items: Array<[string, string, string]>) => xml(`<Relationships xmlns="${PKG_R}">${items.map(([id, type, target]) => `<Relationship Id="${id}" Type="${type}" Target="${target}"${/^[a-z]+:/.test(target) ? ' TargetMode="External"' : ''}/>`).join('')}</Relationships>`);
  const drawing = `<w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><wp:extent cx="952500" cy="952500"/><wp:docPr id="1" name="Рисунок 1" descr="Скан паспорта: ${AUTHOR}"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="0" name="image1.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip xmlns:r="${R}" r:embed="rId3"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>`;
  const link = `<w:p><w:hyperlink r:id="rId7" w:tooltip="Написать ${TOOLTIP_EMAIL}"><w:r><w:t>Написать исполнителю</w:t></w:r></w:hyperlink></w:p>`;
  const field = `<w:p><w:fldSimple w:instr=" HYPERLINK &quot;mailto:${FIELD_EMAIL}&quot; "><w:r><w:t>почта бухгалтерии</w:t></w:r></w:fldSimple></w:p>`;
  const controls = `<w:p><w:sdt><w:sdtPr><w:date w:fullDate="${BIRTH}T00:00:00Z"><w:dateFormat w:val="dd.MM.yyyy"/></w:date></w:sdtPr><w:sdtContent><w:r><w:t>дата рождения</w:t></w:r></w:sdtContent></w:sdt></w:p>`
    + `<w:p><w:sdt><w:sdtPr><w:dropDownList><w:listItem w:displayText="Звонить ${CONTROL_PHONE}" w:value="${CONTROL_PHONE}"/></w:dropDownList></w:sdtPr><w:sdtContent><w:r><w:t>способ связи</w:t></w:r></w:sdtContent></w:sdt></w:p>`
    + `<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:helpText w:type="text" w:val="Пишите на ${FORM_EMAIL}"/><w:statusText w:type="text" w:val="${FORM_EMAIL}"/><w:textInput><w:default w:val="${FORM_EMAIL}"/></w:textInput></w:ffData></w:fldChar></w:r><w:r><w:t>адрес</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>`
    + `<w:p><w:r><w:drawing><a:hlinkClick xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" tooltip="Позвонить ${CONTROL_PHONE}"/></w:drawing></w:r></w:p>`;
  const body = `<w:p><w:r><w:t>Приложение: копия паспорта заказчика.</w:t></w:r></w:p><w:p><w:r>${drawing}</w:r></w:p>${link}${field}${controls}`;
  return zipFixture([
    { name: '[Content_Types].xml', data: xml(types) },
    { name: 'word/document.xml', data: xml(`<w:document ${W} xmlns:r="${R}"><w:body>${body}</w:body></w:document>`) },
    { name: '_rels/.rels', data: rels([
      ['rId1', `${R}/officeDocument`, 'word/document.xml'],
      ['rId2', `${PKG_R}/metadata/core-properties`, 'docProps/core.xml'],
      ['rId3', `${R}/extended-properties`, 'docProps/app.xml'],
      ['rId4', `${R}/custom-properties`, 'docProps/custom.xml'],
      ['rId5', `${PKG_R}/metadata/thumbnail`, 'docProps/thumbnail.jpeg'],
    ]) },
    { name: 'word/_rels/document.xml.rels', data: rels([
      ['rId1', `${R}/settings`, 'settings.xml'],
      ['rId2', 'http://schemas.microsoft.com/office/2011/relationships/people', 'people.xml'],
      ['rId3', `${R}/image`, 'media/image1.png'],
      ['rId4', `${R}/image`, 'media/image2.jpeg'],
      ['rId5', `${R}/glossaryDocument`, 'glossary/document.xml'],
      ['rId6', `${R}/package`, 'embeddings/Microsoft_Excel_Worksheet.xlsx'],
      ['rId7', `${R}/hyperlink`, `mailto:${TOOLTIP_EMAIL}`],
      ['rId8', `${R}/customXml`, '../customXml/item1.xml'],
      ['rId9', 'http://schemas.microsoft.com/office/2006/relationships/vbaProject', 'vbaProject.bin'],
      ['rId10', `${R}/chart`, 'charts/chart1.xml'],
      ['rId11', `${R}/diagramData`, 'diagrams/data1.xml'],
    ]) },
    // What Word draws: the chart's title and its cached category labels; the diagram's boxes.
    { name: 'word/charts/chart1.xml', data: xml(`<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>Выплаты: ${CHART_PERSON}</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea><c:barChart><c:ser><c:cat><c:strRef><c:f>Sheet1!$A$2:$A$3</c:f><c:strCache><c:ptCount val="2"/><c:pt idx="0"><c:v>${CHART_PERSON}</c:v></c:pt><c:pt idx="1"><c:v>Звонить ${CHART_PHONE}</c:v></c:pt></c:strCache></c:strRef></c:cat><c:val><c:numRef><c:numCache><c:pt idx="0"><c:v>120000</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser></c:barChart></c:plotArea></c:chart></c:chartSpace>`) },
    { name: 'word/diagrams/data1.xml', data: xml(`<dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><dgm:ptLst><dgm:pt modelId="{1}"><dgm:t><a:bodyPr/><a:p><a:r><a:t>Генеральный директор — ${DIAGRAM_PERSON}</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst></dgm:dataModel>`) },
    { name: 'customXml/item1.xml', data: xml(`<Client xmlns="urn:example:client"><!-- ${STORE_NAME} --><Name>${STORE_NAME}</Name><Card number="${STORE_CARD}"/><Note><![CDATA[${STORE_NAME}]]></Note></Client>`) },
    { name: 'word/vbaProject.bin', data: Buffer.from(`Attribute VB_Name = "${STORE_NAME}"`), stored: true },
    { name: 'word/activeX/activeX1.bin', data: Buffer.from(`TextBox1: ${STORE_NAME}`), stored: true },
    { name: 'word/glossary/document.xml', data: xml(`<w:glossaryDocument ${W}><w:docParts><w:docPart><w:docPartBody><w:p><w:r><w:t>${SIGNATURE}</w:t></w:r></w:p></w:docPartBody></w:docPart></w:docParts></w:glossaryDocument>`) },
    // Stored, so its text is there to find.
    { name: 'word/embeddings/Microsoft_Excel_Worksheet.xlsx', data: Buffer.from(`Клиенты: ${AUTHOR}, ${MANAGER}`), stored: true },
    { name: 'word/settings.xml', data: xml(`<w:settings ${W}><w:zoom w:percent="100"/><w:docVars><w:docVar w:name="Client" w:val="${DOC_VAR}"/></w:docVars></w:settings>`) },
    { name: 'word/people.xml', data: xml(`<w15:people ${W15}><w15:person w15:author="${AUTHOR}"><w15:presenceInfo w15:providerId="AD" w15:userId="${USER_ID}"/></w15:person></w15:people>`) },
    { name: 'docProps/core.xml', data: xml(`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${AUTHOR}</dc:creator></cp:coreProperties>`) },
    { name: 'docProps/app.xml', data: xml(`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Template>Normal.dotm</Template><Pages>1</Pages><Manager>${MANAGER}</Manager><Company>ИП ${AUTHOR}</Company><TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>Договор с ${AUTHOR}</vt:lpstr></vt:vector></TitlesOfParts></Properties>`) },
    { name: 'docProps/custom.xml', data: xml(`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Паспорт"><vt:lpwstr>${PASSPORT}</vt:lpwstr></property></Properties>`) },
    { name: 'docProps/thumbnail.jpeg', data: photo },
    { name: 'word/media/image1.png', data: scan },
    { name: 'word/media/image2.jpeg', data: photo },
  ]);
}

let rt: TestRuntime;
let owner: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  rt = await startTestRuntime('maskparts');
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  owner = await registerUser(rt.url, 'owner');
});
afterAll(() => rt?.close());

/** Uploads a DOCX, asks for its masked export and answers the document once the export ended. */
async function exportEnded(data: Buffer) {
  const res = await upload(rt.url, '/api/documents', owner.token, { name: 'annex.docx', data });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.document.id as string;
  expect((await settledDocument(rt.url, owner.token, id)).status).toBe('ready');
  expect((await request(rt.url, 'POST', `/api/documents/${id}/mask`, { token: owner.token })).status).toBe(202);
  return waitFor('the export', async () => {
    const now = (await request(rt.url, 'GET', `/api/documents/${id}`, { token: owner.token })).body;
    return now.masked?.status === 'queued' ? undefined : now;
  }, 30_000);
}

async function exportedDocx(data: Buffer): Promise<Buffer> {
  const doc = await exportEnded(data);
  const id = doc.id as string;
  expect(doc.masked, JSON.stringify(doc.masked)).toMatchObject({ status: 'ready' });
  const got = await fetch(`${rt.url}/api/documents/${id}/masked`, { headers: { authorization: `Bearer ${owner.token}` } });
  expect(got.status).toBe(200);
  return Buffer.from(await got.arrayBuffer());
}

/** Every entry of a package, inflated; the directory is checked as an upload checks it. */
function entries(zip: Buffer): Map<string, Buffer> {
  const { names } = checkZip(zip, zip.length);
  return new Map([...names].map((name) => [name, readZipEntry(zip, name, 64 << 20)!]));
}

const attr = (element: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];

/** [Content_Types].xml names a type for every entry and overrides only entries that exist; every internal relationship resolves. */
function expectConsistent(parts: Map<string, Buffer>): void {
  const types = parts.get('[Content_Types].xml')!.toString('utf8');
  const defaults = new Set([...types.matchAll(/<Default\b[^>]*>/g)].map(([d]) => attr(d, 'Extension')!.toLowerCase()));
  const overrides = [...types.matchAll(/<Override\b[^>]*>/g)].map(([o]) => attr(o, 'PartName')!.slice(1));
  for (const part of overrides) expect(parts.has(part), `override of ${part}`).toBe(true);
  for (const name of parts.keys()) {
    const extension = name.slice(name.lastIndexOf('.') + 1).toLowerCase(); // `_rels/.rels` too, which extname reads as none
    if (name !== '[Content_Types].xml') expect(overrides.includes(name) || defaults.has(extension), `type of ${name}`).toBe(true);
  }
  for (const [name, data] of parts) {
    if (!name.endsWith('.rels')) continue;
    const base = path.posix.dirname(path.posix.dirname(name)); // word/_rels/document.xml.rels → word
    for (const [rel] of data.toString('utf8').matchAll(/<Relationship\b[^>]*>/g)) {
      if (attr(rel, 'TargetMode') === 'External') continue;
      const target = path.posix.normalize(path.posix.join(base, attr(rel, 'Target')!)).replace(/^\//, '');
      expect(parts.has(target), `${name} → ${target}`).toBe(true);
    }
  }
}

describe('masked DOCX export of the package', () => {
  it('leaves no personal value in people, properties, variables, pictures, alt text, tooltips, field codes, data stores or macros; the package stays consistent', async () => {
    const original = packedDocx();
    const parts = entries(await exportedDocx(original));
    expect([...parts.keys()].sort()).toEqual([...entries(original).keys()].sort());
    const leaks = [...parts].flatMap(([name, data]) => RAW.filter((raw) => data.toString('utf8').includes(raw)).map((raw) => `${name}: ${raw}`));
    expect(leaks).toEqual([]);
    expectConsistent(parts);

    // People keep their place (comments point at them), named by placeholder and without their accounts.
    expect(parts.get('word/people.xml')!.toString('utf8')).toMatch(/<w15:person w15:author="\[PERSON_\d+\]"><\/w15:person>/);
    expect(parts.get('docProps/core.xml')!.toString('utf8')).toMatch(/<dc:creator>\[PERSON_\d+\]<\/dc:creator>/);
    const app = parts.get('docProps/app.xml')!.toString('utf8');
    expect(app).toMatch(/<Manager>\[PERSON_\d+\]<\/Manager>/);
    expect(app).toMatch(/<Company>ИП \[PERSON_\d+\]<\/Company>/);
    expect(app).toContain('<Template>Normal.dotm</Template><Pages>1</Pages>');
    expect(parts.get('docProps/custom.xml')!.toString('utf8')).not.toContain('<property');
    expect(parts.get('word/settings.xml')!.toString('utf8')).toMatch(/<w:settings [^>]*><w:zoom w:percent="100"\/><\/w:settings>$/);
    expect(parts.get('word/document.xml')!.toString('utf8')).toMatch(/descr="Скан паспорта: \[PERSON_\d+\]"/);
    expect(parts.get('word/glossary/document.xml')!.toString('utf8')).toMatch(/<w:t>Исполнитель: \[PERSON_\d+\]<\/w:t>/);
    expect(parts.get('word/embeddings/Microsoft_Excel_Worksheet.xlsx')).toHaveLength(0);
    expect(parts.get('word/vbaProject.bin')).toHaveLength(0);
    expect(parts.get('word/activeX/activeX1.bin')).toHaveLength(0);
    const body = parts.get('word/document.xml')!.toString('utf8');
    expect(body).toMatch(/w:tooltip="Написать \[EMAIL_\d+\]"/);
    expect(body).toMatch(/w:instr=" HYPERLINK &quot;mailto:\[EMAIL_\d+\]&quot; "/);
    expect(body).toMatch(/<w:listItem w:displayText="Звонить \[PHONE_\d+\]" w:value="\[PHONE_\d+\]"\/>/);
    expect(body).toMatch(/<w:helpText w:type="text" w:val="Пишите на \[EMAIL_\d+\]"\/>/);
    expect(body).toContain('<w:date><w:dateFormat w:val="dd.MM.yyyy"/></w:date>');
    // The data store keeps its shape, so bindings resolve, and no value.
    expect(parts.get('customXml/item1.xml')!.toString('utf8')).toMatch(/<Client xmlns="urn:example:client"><Name><\/Name><Card number=""\/><Note><\/Note><\/Client>$/);

    // Each picture is a neutral one of its own format, not the scan.
    for (const [name, magic] of [['word/media/image1.png', '89504e47'], ['word/media/image2.jpeg', 'ffd8ff'], ['docProps/thumbnail.jpeg', 'ffd8ff']] as const) {
      const picture = parts.get(name)!;
      expect(picture.subarray(0, magic.length / 2).toString('hex'), name).toBe(magic);
      expect(picture.length, name).toBeLessThan(1024);
    }
    expect(parts.get('word/media/image1.png')!.equals(scan)).toBe(false);

    // The chart keeps its numbers and its reference to the sheet; labels are masked in place.
    const chart = parts.get('word/charts/chart1.xml')!.toString('utf8');
    expect(chart).toMatch(/<a:t>Выплаты: \[PERSON_\d+\]<\/a:t>/);
    expect(chart).toMatch(/<c:v>Звонить \[PHONE_\d+\]<\/c:v>/);
    expect(chart).toContain('<c:f>Sheet1!$A$2:$A$3</c:f>');
    expect(chart).toContain('<c:v>120000</c:v>');
    expect(parts.get('word/diagrams/data1.xml')!.toString('utf8')).toMatch(/<a:t>Генеральный директор — \[PERSON_\d+\]<\/a:t>/);
  });

  it('refuses a DOCX whose body pulls in an HTML chunk, which cannot be masked in place, instead of copying it', async () => {
    const types = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="mht" ContentType="message/rfc822"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
    const docx = zipFixture([
      { name: '[Content_Types].xml', data: xml(types) },
      { name: '_rels/.rels', data: xml(`<Relationships xmlns="${PKG_R}"><Relationship Id="rId1" Type="${R}/officeDocument" Target="word/document.xml"/></Relationships>`) },
      { name: 'word/document.xml', data: xml(`<w:document ${W} xmlns:r="${R}"><w:body><w:p><w:r><w:t>Приложение к договору.</w:t></w:r></w:p><w:altChunk r:id="rId1"/></w:body></w:document>`) },
      { name: 'word/_rels/document.xml.rels', data: xml(`<Relationships xmlns="${PKG_R}"><Relationship Id="rId1" Type="${R}/aFChunk" Target="afchunk.mht"/></Relationships>`) },
      { name: 'word/afchunk.mht', data: Buffer.from(`MIME-Version: 1.0\r\nContent-Type: text/html; charset="utf-8"\r\n\r\n<html><body><p>Заказчик: ${DIAGRAM_PERSON}</p></body></html>`) },
    ]);
    const doc = await exportEnded(docx);
    expect(doc.masked).toMatchObject({ status: 'failed', error: { code: 'export_failed', detail: expect.stringContaining('message/rfc822') } });
    expect((await request(rt.url, 'GET', `/api/documents/${doc.id}/masked`, { token: owner.token })).status).toBe(409);
  });
});
