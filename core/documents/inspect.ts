/**
 * Looks at an upload while it streams through to encryption: counts bytes and stops past the
 * limit, hashes (SHA-256 of the plaintext), tells the type from the first bytes, checks text
 * over the whole stream and an archive's directory from a bounded tail. Nothing is written
 * anywhere but through the generator; a refusal is thrown as an UploadRefusal, which fails the
 * storage write.
 */
import { createHash } from 'node:crypto';
import { UploadRefusal } from './refusal.js';
import { DOC_TYPES, TextCheck, extensionOf, sniff, zipKind, type DocType, type Sniffed } from './types.js';
import { ZIP_LIMITS, checkZip } from './zip.js';

/** Enough for file-type to tell every accepted type (DOCX and ODT are settled by the directory). */
const HEAD_BYTES = 64 * 1024;

export interface Inspection {
  type: DocType;
  mime: string;
  size: number;
  sha256: string;
}

export class UploadInspector {
  #hash = createHash('sha256');
  #size = 0;
  #sniffed: Sniffed;
  #text?: TextCheck;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  result?: Inspection;

  constructor(private readonly opts: { maxBytes: number; filename: string }) {}

  /** Passes the bytes through; the head is held back until the type is known. */
  async *pass(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let head: Buffer[] | undefined = [];
    let headBytes = 0;
    for await (const piece of source) {
      this.#take(piece);
      if (head) {
        head.push(piece);
        headBytes += piece.length;
        if (headBytes < HEAD_BYTES) continue;
        yield* this.#release(Buffer.concat(head));
        head = undefined;
      } else {
        this.#look(piece);
        yield piece;
      }
    }
    if (this.#size === 0) throw new UploadRefusal('invalid', 'the file is empty', 'file');
    if (head) yield* this.#release(Buffer.concat(head));
    this.result = this.#finish();
  }

  #take(piece: Buffer) {
    this.#size += piece.length;
    if (this.#size > this.opts.maxBytes) throw new UploadRefusal('too_large', `the file is larger than ${this.opts.maxBytes} bytes`);
    this.#hash.update(piece);
  }

  async *#release(head: Buffer): AsyncGenerator<Buffer> {
    this.#sniffed = await sniff(head);
    if (this.#sniffed === undefined) throw new UploadRefusal('unsupported', 'this type of file is not accepted');
    if (this.#sniffed === 'text') this.#text = new TextCheck();
    else if (this.#sniffed !== 'zip' && this.#sniffed !== 'docx' && this.#sniffed !== 'odt') this.#matchName(this.#sniffed);
    this.#look(head);
    yield head;
  }

  /** Feeds the whole-stream checks: text validity, and the tail of an archive. */
  #look(piece: Buffer) {
    this.#text?.push(piece);
    if (this.#sniffed === 'zip' || this.#sniffed === 'docx' || this.#sniffed === 'odt') {
      this.#tail.push(piece);
      this.#tailBytes += piece.length;
      while (this.#tailBytes - this.#tail[0]!.length >= ZIP_LIMITS.tailBytes) this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  /** A name's extension must name the content's type; a name without one says nothing against it. */
  #matchName(type: DocType) {
    const ext = extensionOf(this.opts.filename);
    if (ext && !DOC_TYPES[type].extensions.includes(ext)) {
      throw new UploadRefusal('unsupported', `the content is ${type.toUpperCase()}, which the file name does not say`);
    }
  }

  #finish(): Inspection {
    let type: DocType;
    let mime: string;
    if (this.#text) {
      const charset = this.#text.end();
      if (!charset) throw new UploadRefusal('unsupported', 'this type of file is not accepted');
      type = 'txt';
      mime = `text/plain; charset=${charset}`;
    } else if (this.#sniffed === 'zip' || this.#sniffed === 'docx' || this.#sniffed === 'odt') {
      const tail = Buffer.concat(this.#tail);
      const kind = zipKind(this.#sniffed, checkZip(tail.subarray(Math.max(0, tail.length - ZIP_LIMITS.tailBytes)), this.#size).names);
      if (!kind) throw new UploadRefusal('unsupported', 'this type of archive is not accepted');
      type = kind;
      mime = DOC_TYPES[kind].mime;
    } else {
      type = this.#sniffed as DocType;
      mime = DOC_TYPES[type].mime;
    }
    this.#matchName(type);
    return { type, mime, size: this.#size, sha256: this.#hash.digest('hex') };
  }
}
