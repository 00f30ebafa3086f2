/**
 * The accepted document types, told by content: `file-type` reads the magic bytes, plus our
 * own checks where it is silent (text in UTF-8 or Windows-1251, the OLE header of DOC, RTF).
 * The file name's extension must agree with what the content is.
 */
import { fileTypeFromBuffer } from 'file-type';

export type DocType = 'pdf' | 'docx' | 'doc' | 'rtf' | 'odt' | 'txt' | 'png' | 'jpeg' | 'tiff';

export const DOC_TYPES: Record<DocType, { mime: string; extensions: string[] }> = {
  pdf: { mime: 'application/pdf', extensions: ['pdf'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'] },
  doc: { mime: 'application/msword', extensions: ['doc'] },
  rtf: { mime: 'application/rtf', extensions: ['rtf'] },
  odt: { mime: 'application/vnd.oasis.opendocument.text', extensions: ['odt'] },
  txt: { mime: 'text/plain', extensions: ['txt'] },
  png: { mime: 'image/png', extensions: ['png'] },
  jpeg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  tiff: { mime: 'image/tiff', extensions: ['tif', 'tiff'] },
};

/** What the first bytes say: a type, a zip to be told apart by its directory, text to be checked whole, or nothing we accept. */
export type Sniffed = DocType | 'zip' | 'text' | undefined;

const OLE = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const RTF = Buffer.from('{\\rtf', 'latin1');
const TIFF = [Buffer.from('49492a00', 'hex'), Buffer.from('4d4d002a', 'hex')];
const BY_FILE_TYPE: Record<string, Sniffed> = { pdf: 'pdf', docx: 'docx', odt: 'odt', rtf: 'rtf', png: 'png', jpg: 'jpeg', tif: 'tiff', zip: 'zip' };

export async function sniff(head: Buffer): Promise<Sniffed> {
  if (head.subarray(0, OLE.length).equals(OLE)) return 'doc';
  if (head.subarray(0, RTF.length).equals(RTF)) return 'rtf';
  const found = await fileTypeFromBuffer(head).catch(() => undefined);
  if (found) return BY_FILE_TYPE[found.ext];
  // file-type needs a TIFF's first directory, which libtiff writes after the pixels: often past the head.
  if (TIFF.some((magic) => head.subarray(0, 4).equals(magic))) return 'tiff';
  return 'text';
}

/** A DOCX or ODT told from the names in its central directory (when the head was not enough). */
export function zipKind(sniffed: Sniffed, names: Set<string>): DocType | undefined {
  const docx = names.has('[Content_Types].xml') && names.has('word/document.xml');
  const odt = names.has('mimetype') && names.has('content.xml');
  if (sniffed === 'docx' || (sniffed === 'zip' && docx)) return docx ? 'docx' : undefined;
  if (sniffed === 'odt') return odt ? 'odt' : undefined;
  return undefined;
}

export const extensionOf = (filename: string) => /\.([A-Za-z0-9]{1,5})$/.exec(filename)?.[1]?.toLowerCase();

/**
 * Text is checked over the whole stream, not the head: no control bytes but tab, newlines and
 * form feed; UTF-8 when it decodes strictly, else Windows-1251 (every byte but 0x98 is a letter).
 */
export class TextCheck {
  #utf8 = new TextDecoder('utf-8', { fatal: true });
  #isUtf8 = true;
  #isCp1251 = true;
  #clean = true;

  push(bytes: Buffer): void {
    if (!this.#clean) return;
    for (const b of bytes) {
      if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f) {
        this.#clean = false;
        return;
      }
      if (b === 0x98) this.#isCp1251 = false;
    }
    if (this.#isUtf8) {
      try {
        this.#utf8.decode(bytes, { stream: true });
      } catch {
        this.#isUtf8 = false;
      }
    }
  }

  /** The charset, or undefined when this is not text. */
  end(): 'utf-8' | 'windows-1251' | undefined {
    if (!this.#clean) return undefined;
    if (this.#isUtf8) {
      try {
        this.#utf8.decode();
        return 'utf-8';
      } catch {
        this.#isUtf8 = false;
      }
    }
    return this.#isCp1251 ? 'windows-1251' : undefined;
  }
}
