/** Small document fixtures built in the test (no committed binaries) and a multipart client. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { request, type Reply } from './http.js';

export const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A text PDF of about `bytes` bytes carrying `marker` (the padding makes several envelope chunks). */
export function pdfFixture(marker: string, bytes = 200 * 1024): Buffer {
  const body = `1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${marker}\n`;
  const padding = Array.from({ length: Math.ceil(bytes / 64) }, (_, i) => `% line ${String(i).padStart(8, '0')} ${marker.slice(0, 30).padEnd(30, '.')}\n`).join('');
  return Buffer.from(`%PDF-1.4\n${body}${padding}trailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Lie about the inflated size in the central directory (a bomb's declaration). */
  declaredSize?: number;
  /** Stored uncompressed (method 0) rather than deflated. */
  stored?: boolean;
}

/** A zip archive (deflate), written by hand so tests can shape bombs. */
export function zipFixture(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const packed = e.stored ? e.data : deflateRawSync(e.data);
    const method = e.stored ? 0 : 8;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(packed.length, 20);
    cd.writeUInt32LE(e.declaredSize ?? e.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    central.push(cd, name);
    offset += local.length + name.length + packed.length;
  }
  const cdBytes = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBytes, eocd]);
}

/** A minimal DOCX: content types, the main part, and `text` in a paragraph (or each of `text` in its own). */
export function docxFixture(text: string | string[], extra: ZipEntry[] = []): Buffer {
  const types = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
  const paragraphs = (Array.isArray(text) ? text : [text]).map((t) => `<w:p><w:r><w:t>${t}</w:t></w:r></w:p>`).join('');
  const doc = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs}</w:body></w:document>`;
  return zipFixture([{ name: '[Content_Types].xml', data: Buffer.from(types) }, { name: 'word/document.xml', data: Buffer.from(doc) }, ...extra]);
}

/** A minimal ODT: the mimetype entry first (stored, as the format requires) and `body` inside office:text. */
export function odtFixture(body: string): Buffer {
  const content = `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"><office:automatic-styles><style:style style:name="P1"/></office:automatic-styles><office:body><office:text>${body}</office:text></office:body></office:document-content>`;
  return zipFixture([{ name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.text'), stored: true }, { name: 'content.xml', data: Buffer.from(content) }]);
}

/** Russian text in Windows-1251 (А..я are 0xC0..0xFF, Ё 0xA8, ё 0xB8). */
export function cp1251(text: string): Buffer {
  return Buffer.from([...text].map((ch) => {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) return c;
    if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
    if (c === 0x401) return 0xa8;
    if (c === 0x451) return 0xb8;
    throw new Error(`no cp1251 byte for ${ch}`);
  }));
}

/** Uploads as a browser would: multipart/form-data with one file part and text fields. */
export async function upload(base: string, urlPath: string, token: string, file: { name: string; data: Buffer; type?: string }, fields: Record<string, string> = {}): Promise<Reply> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file.data], { type: file.type ?? 'application/octet-stream' }), file.name);
  return request(base, 'POST', urlPath, { token, raw: form });
}

/** Every file under `dir` (recursively); none when it does not exist. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

/** Serialises PDF objects (numbered from 1, the first is the catalog) with a correct xref table. */
function pdfFile(objects: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let size = parts[0]!.length;
  const offsets = objects.map((o, i) => {
    const at = size;
    const piece = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), typeof o === 'string' ? Buffer.from(o, 'latin1') : o, Buffer.from('\nendobj\n')]);
    parts.push(piece);
    size += piece.length;
    return at;
  });
  parts.push(Buffer.from(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

const stream = (dict: string, data: Buffer) => Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);

/** DejaVu Sans (Debian's fonts-dejavu-core): the font the scan fixtures are typeset in. */
export const FIXTURE_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** A character's advance width in a TrueType font, in PDF glyph units (1/1000 em): cmap format 4, hhea, hmtx. */
function advance(font: Buffer, char: number): number {
  const tables = new Map<string, number>();
  for (let i = 0; i < font.readUInt16BE(4); i++) tables.set(font.toString('latin1', 12 + 16 * i, 16 + 16 * i), font.readUInt32BE(20 + 16 * i));
  const [cmap, head, hhea, hmtx] = ['cmap', 'head', 'hhea', 'hmtx'].map((t) => tables.get(t)!);
  let glyph = 0;
  for (let i = 0; i < font.readUInt16BE(cmap! + 2); i++) {
    const sub = cmap! + font.readUInt32BE(cmap! + 8 + 8 * i);
    if (font.readUInt16BE(cmap! + 4 + 8 * i) !== 3 || font.readUInt16BE(cmap! + 6 + 8 * i) !== 1 || font.readUInt16BE(sub) !== 4) continue;
    const segs = font.readUInt16BE(sub + 6) / 2;
    const [ends, starts, deltas, ranges] = [sub + 14, sub + 16 + 2 * segs, sub + 16 + 4 * segs, sub + 16 + 6 * segs];
    for (let s = 0; s < segs; s++) {
      if (font.readUInt16BE(ends + 2 * s) < char) continue;
      const start = font.readUInt16BE(starts + 2 * s);
      if (start > char) break;
      const range = font.readUInt16BE(ranges + 2 * s);
      const id = range ? font.readUInt16BE(ranges + 2 * s + range + 2 * (char - start)) : char;
      glyph = id && (id + font.readInt16BE(deltas + 2 * s)) & 0xffff;
      break;
    }
  }
  const metrics = font.readUInt16BE(hhea! + 34);
  const width = font.readUInt16BE(hmtx! + 4 * Math.min(glyph, metrics - 1));
  return Math.round((width * 1000) / font.readUInt16BE(head! + 18));
}

/**
 * An A5 PDF whose text layer holds `lines` (Russian included), typeset in DejaVu Sans at 14 pt:
 * a simple TrueType font whose codes 128..255 are the Cyrillic letters, named `uniXXXX` so
 * poppler maps them back to Unicode. `linesPerPage` spreads the lines over pages (all on one by default).
 */
export function cyrillicPdf(lines: string[], linesPerPage = Math.max(lines.length, 1)): Buffer {
  const letters = [...new Set(lines.join('').split('').filter((c) => c.charCodeAt(0) > 0x7e))];
  if (letters.length > 128) throw new Error('too many distinct non-ASCII letters for one simple font');
  const code = (c: string) => (c.charCodeAt(0) > 0x7e ? 128 + letters.indexOf(c) : c.charCodeAt(0));
  const literal = (line: string) => `(${[...line].map((c) => {
    const n = code(c);
    return n > 0x7e || c === '(' || c === ')' || c === '\\' ? `\\${n.toString(8).padStart(3, '0')}` : c;
  }).join('')})`;
  const pages = Array.from({ length: Math.max(Math.ceil(lines.length / linesPerPage), 1) }, (_, i) => lines.slice(i * linesPerPage, (i + 1) * linesPerPage));
  const fontAt = 3 + 2 * pages.length; // objects: catalog, pages, then a page and its content each, then the font's three
  const font = fs.readFileSync(FIXTURE_FONT);
  const widths = Array.from({ length: 224 }, (_, i) => (i + 32 < 128 ? advance(font, i + 32) : i + 32 - 128 < letters.length ? advance(font, letters[i + 32 - 128]!.charCodeAt(0)) : 0));
  const differences = letters.map((c) => `/uni${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
  return pdfFile([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + 2 * i} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    ...pages.flatMap((page, i) => [
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Contents ${4 + 2 * i} 0 R /Resources << /Font << /F1 ${fontAt} 0 R >> >> >>`,
      stream('', Buffer.from(`BT /F1 14 Tf 20 TL 40 540 Td ${page.map((l) => `${literal(l)} '`).join(' ')} ET`, 'latin1')),
    ]),
    `<< /Type /Font /Subtype /TrueType /BaseFont /DejaVuSans /FirstChar 32 /LastChar 255 /Widths [${widths.join(' ')}] /FontDescriptor ${fontAt + 1} 0 R /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [128 ${differences}] >> >>`,
    `<< /Type /FontDescriptor /FontName /DejaVuSans /Flags 32 /FontBBox [-1021 -463 1793 1232] /ItalicAngle 0 /Ascent 928 /Descent -236 /CapHeight 729 /StemV 80 /FontFile2 ${fontAt + 2} 0 R >>`,
    stream(`/Length1 ${font.length}`, font),
  ]);
}

/** A page of a PDF rendered by pdftoppm (poppler-utils) to PNG, JPEG or TIFF: a "scan". */
export function rasterize(pdf: Buffer, format: 'png' | 'jpeg' | 'tiff', dpi = 200): Buffer {
  const args = ['-f', '1', '-l', '1', '-r', String(dpi), `-${format}`, '-singlefile', '-'];
  if (format !== 'tiff') return execFileSync('pdftoppm', args, { input: pdf, maxBuffer: 64 * 1024 * 1024 });
  // libtiff cannot write to a pipe: this fixture goes through a temp file.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiff-fixture-'));
  try {
    execFileSync('pdftoppm', [...args, path.join(dir, 'page')], { input: pdf });
    return fs.readFileSync(path.join(dir, 'page.tif'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An image-only PDF: an A5 page for each JPEG (each rendered at `dpi` from an A5 page), no text layer. */
export function scannedPdf(jpegs: Buffer | Buffer[], dpi = 200): Buffer {
  const pages = Array.isArray(jpegs) ? jpegs : [jpegs];
  const [w, h] = [Math.round((420 * dpi) / 72), Math.round((595 * dpi) / 72)];
  // Objects 3.. hold, per page: the page, its content, its image.
  return pdfFile([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + 3 * i} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    ...pages.flatMap((jpeg, i) => [
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Contents ${4 + 3 * i} 0 R /Resources << /XObject << /Im1 ${5 + 3 * i} 0 R >> >> >>`,
      stream('', Buffer.from('q 420 0 0 595 0 0 cm /Im1 Do Q', 'latin1')),
      stream(`/Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode`, jpeg),
    ]),
  ]);
}

/** A grey picture: `width` x `height` bytes, one a pixel, rows top to bottom. */
export interface GreyImage {
  width: number;
  height: number;
  pixels: Buffer;
}

/** A page of a PDF rendered grey by pdftoppm (a PGM: a short text header, then the pixels). */
export function rasterizeGrey(pdf: Buffer, dpi = 150): GreyImage {
  const pgm = execFileSync('pdftoppm', ['-f', '1', '-l', '1', '-r', String(dpi), '-gray', '-singlefile', '-'], { input: pdf, maxBuffer: 64 * 1024 * 1024 });
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 64))!;
  return { width: Number(header[1]), height: Number(header[2]), pixels: pgm.subarray(header[0].length) };
}

/** A multi-page TIFF (little-endian, uncompressed 8-bit grey), a page per image. */
export function tiffFixture(pages: GreyImage[]): Buffer {
  const header = Buffer.from('49492a0000000000', 'hex');
  const parts: Buffer[] = [header];
  let size = header.length;
  let next = { buffer: header, at: 4 }; // the pointer to the next directory: the header's, then each directory's
  for (const page of pages) {
    const pixelsAt = size;
    const pixels = page.pixels.length % 2 ? Buffer.concat([page.pixels, Buffer.alloc(1)]) : page.pixels; // directories start on a word boundary
    parts.push(pixels);
    size += pixels.length;
    const tags: Array<[number, number, number]> = [[256, 4, page.width], [257, 4, page.height], [258, 3, 8], [259, 3, 1], [262, 3, 1], [273, 4, pixelsAt], [277, 3, 1], [278, 4, page.height], [279, 4, page.pixels.length]];
    const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
    ifd.writeUInt16LE(tags.length, 0);
    tags.forEach(([tag, type, value], i) => {
      ifd.writeUInt16LE(tag, 2 + 12 * i);
      ifd.writeUInt16LE(type, 4 + 12 * i);
      ifd.writeUInt32LE(1, 6 + 12 * i);
      if (type === 3) ifd.writeUInt16LE(value, 10 + 12 * i);
      else ifd.writeUInt32LE(value, 10 + 12 * i);
    });
    next.buffer.writeUInt32LE(size, next.at);
    next = { buffer: ifd, at: ifd.length - 4 };
    parts.push(ifd);
    size += ifd.length;
  }
  return Buffer.concat(parts);
}

/**
 * A minimal legacy Word file: an OLE compound file (version 3, 512-byte sectors) with one
 * `WordDocument` stream holding a File Information Block and the text at `fcMin`..`fcMac`,
 * paragraphs ending in CR. `utf16` is Word 97's Unicode text (fExtChar); `cp1251` the 8-bit
 * text of Russian Word 6/95 files. It has no piece table or styles: enough for catdoc, not Word.
 */
export function docFixture(paragraphs: string[], encoding: 'utf16' | 'cp1251'): Buffer {
  const text = paragraphs.map((p) => `${p}\r`).join('');
  const body = encoding === 'utf16' ? Buffer.from(text, 'utf16le') : cp1251(text);
  const SECTOR = 512;
  const fcMin = 0x400;
  // At least 4096 bytes, so the stream lives in regular sectors rather than the mini stream.
  const word = Buffer.alloc(Math.max(4096, Math.ceil((fcMin + body.length) / SECTOR) * SECTOR));
  word.writeUInt16LE(0xa5ec, 0); // wIdent
  word.writeUInt16LE(193, 2); // nFib: Word 97
  word.writeUInt16LE(encoding === 'utf16' ? 0x1000 : 0, 10); // fExtChar
  word.writeUInt32LE(fcMin, 24);
  word.writeUInt32LE(fcMin + body.length, 28);
  body.copy(word, fcMin);

  const wordSectors = word.length / SECTOR;
  const END = 0xfffffffe;
  const FREE = 0xffffffff;
  const header = Buffer.alloc(SECTOR, 0);
  Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(header, 0);
  header.writeUInt16LE(0x3e, 24);
  header.writeUInt16LE(3, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30); // 512-byte sectors
  header.writeUInt16LE(6, 32); // 64-byte mini sectors
  header.writeUInt32LE(1, 44); // one FAT sector
  header.writeUInt32LE(1, 48); // the directory starts at sector 1
  header.writeUInt32LE(4096, 56);
  header.writeUInt32LE(END, 60); // no mini FAT
  header.writeUInt32LE(END, 68); // no DIFAT sectors
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i === 0 ? 0 : FREE, 76 + 4 * i);

  const fat = Buffer.alloc(SECTOR, 0xff);
  fat.writeUInt32LE(0xfffffffd, 0); // sector 0 is the FAT
  fat.writeUInt32LE(END, 4); // sector 1 is the directory
  for (let s = 0; s < wordSectors; s++) fat.writeUInt32LE(s === wordSectors - 1 ? END : 3 + s, 4 * (2 + s));

  const entry = (name: string, type: number, child: number, start: number, size: number) => {
    const e = Buffer.alloc(128, 0);
    e.write(name, 0, 'utf16le');
    e.writeUInt16LE((name.length + 1) * 2, 64);
    e.writeUInt8(type, 66);
    e.writeUInt8(1, 67); // black
    e.writeUInt32LE(FREE, 68);
    e.writeUInt32LE(FREE, 72);
    e.writeUInt32LE(child, 76);
    e.writeUInt32LE(start, 116);
    e.writeUInt32LE(size, 120);
    return e;
  };
  const directory = Buffer.concat([entry('Root Entry', 5, 1, END, 0), entry('WordDocument', 2, FREE, 2, word.length), Buffer.alloc(256, 0)]);
  // The two unused entries have no siblings and no child.
  for (const unused of [2, 3]) directory.fill(0xff, 128 * unused + 68, 128 * unused + 80);
  return Buffer.concat([header, fat, directory, word]);
}
