/**
 * Zip-bomb checks for DOCX and ODT at upload, without plaintext on disk: the upload keeps a
 * bounded tail of the stream in memory, and this reads the End Of Central Directory and the
 * central directory from it. Declared sizes are what the archive claims, so extraction
 * (`readZipEntry`) still inflates with a cap: a bomb can lie about them.
 */
import { inflateRawSync } from 'node:zlib';
import { UploadRefusal } from './refusal.js';

export const ZIP_LIMITS = {
  /** Bytes of the stream's tail kept in memory; a central directory beyond it counts as too many entries. */
  tailBytes: 1024 * 1024,
  entries: 5000,
  inflatedBytes: 200 * 1024 * 1024,
  /** Declared inflated size over archive size, for the whole archive and for any entry over 1 MiB. */
  ratio: 100,
};

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const CD_SIG = 0x02014b50;
const EOCD_BYTES = 22;
const CD_HEADER_BYTES = 46;

export interface ZipDirectory {
  names: Set<string>;
  inflatedBytes: number;
}

const tooLarge = (why: string) => new UploadRefusal('too_large', `the archive is past its limits: ${why}`);
const malformed = () => new UploadRefusal('unsupported', 'the file is not a well-formed archive');

export function findEocd(tail: Buffer): number {
  for (let at = tail.length - EOCD_BYTES; at >= Math.max(0, tail.length - EOCD_BYTES - 0xffff); at--) {
    if (tail.readUInt32LE(at) === EOCD_SIG && at + EOCD_BYTES + tail.readUInt16LE(at + 20) === tail.length) return at;
  }
  return -1;
}

/** Reads the central directory from the last bytes of an archive of `totalBytes`; refuses bombs. */
export function checkZip(tail: Buffer, totalBytes: number): ZipDirectory {
  const eocd = findEocd(tail);
  if (eocd < 0) throw malformed();
  const entries = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  // ZIP64 exists for archives past 65,535 entries or 4 GiB: past our limits either way.
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || (eocd >= 20 && tail.readUInt32LE(eocd - 20) === EOCD64_LOCATOR_SIG)) {
    throw tooLarge('ZIP64');
  }
  if (entries > ZIP_LIMITS.entries) throw tooLarge(`more than ${ZIP_LIMITS.entries} entries`);
  if (cdSize > eocd) throw tooLarge('the central directory is too large');
  const eocdOffset = totalBytes - (tail.length - eocd);
  if (cdOffset + cdSize !== eocdOffset) throw malformed();

  const names = new Set<string>();
  let inflatedBytes = 0;
  let at = eocd - cdSize;
  for (let i = 0; i < entries; i++) {
    if (at + CD_HEADER_BYTES > eocd || tail.readUInt32LE(at) !== CD_SIG) throw malformed();
    const compressed = tail.readUInt32LE(at + 20);
    const inflated = tail.readUInt32LE(at + 24);
    const nameEnd = at + CD_HEADER_BYTES + tail.readUInt16LE(at + 28);
    if (nameEnd > eocd) throw malformed();
    if (compressed === 0xffffffff || inflated === 0xffffffff) throw tooLarge('ZIP64');
    names.add(tail.subarray(at + CD_HEADER_BYTES, nameEnd).toString('utf8'));
    inflatedBytes += inflated;
    if (inflatedBytes > ZIP_LIMITS.inflatedBytes) throw tooLarge(`more than ${ZIP_LIMITS.inflatedBytes / 1024 / 1024} MiB inflated`);
    if (inflated > 1024 * 1024 && inflated > ZIP_LIMITS.ratio * Math.max(compressed, 1)) throw tooLarge('an entry compresses more than 100:1');
    at = nameEnd + tail.readUInt16LE(at + 30) + tail.readUInt16LE(at + 32);
  }
  if (at !== eocd) throw malformed();
  if (inflatedBytes > ZIP_LIMITS.ratio * totalBytes) throw tooLarge('the archive compresses more than 100:1');
  return { names, inflatedBytes };
}

const LOCAL_SIG = 0x04034b50;

/**
 * One entry of a whole archive in memory, inflated with a cap (declared sizes may lie).
 * Undefined when the entry is absent; throws `ZipEntryError` when it is malformed or too big.
 */
export function readZipEntry(zip: Buffer, wanted: string, maxBytes: number): Buffer | undefined {
  const eocd = findEocd(zip);
  if (eocd < 0) throw new ZipEntryError('malformed', 'no end of central directory');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (at + CD_HEADER_BYTES > eocd || zip.readUInt32LE(at) !== CD_SIG) throw new ZipEntryError('malformed', 'bad central directory');
    const nameEnd = at + CD_HEADER_BYTES + zip.readUInt16LE(at + 28);
    if (zip.subarray(at + CD_HEADER_BYTES, nameEnd).toString('utf8') === wanted) {
      return inflateEntry(zip, zip.readUInt32LE(at + 42), zip.readUInt16LE(at + 10), zip.readUInt32LE(at + 20), maxBytes);
    }
    at = nameEnd + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return undefined;
}

export function inflateEntry(zip: Buffer, localAt: number, method: number, compressed: number, maxBytes: number): Buffer {
  if (localAt + 30 > zip.length || zip.readUInt32LE(localAt) !== LOCAL_SIG) throw new ZipEntryError('malformed', 'bad local header');
  const start = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
  if (start + compressed > zip.length) throw new ZipEntryError('malformed', 'entry past the end');
  const data = zip.subarray(start, start + compressed);
  if (method === 0) {
    if (data.length > maxBytes) throw new ZipEntryError('too_large', `an entry inflates past ${maxBytes} bytes`);
    return data;
  }
  if (method !== 8) throw new ZipEntryError('malformed', `compression method ${method}`);
  try {
    return inflateRawSync(data, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new ZipEntryError('too_large', `an entry inflates past ${maxBytes} bytes`);
    throw new ZipEntryError('malformed', 'the entry does not inflate');
  }
}

export class ZipEntryError extends Error {
  override name = 'ZipEntryError';
  constructor(readonly reason: 'malformed' | 'too_large', message: string) {
    super(message);
  }
}
