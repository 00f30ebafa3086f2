/**
 * Page count and pixel size of a PNG, JPEG or TIFF, read from its headers before anything
 * decodes it: a small file can declare a picture of billions of pixels.
 */
import { IngestError } from './extract-common.js';

export interface ImageSize {
  pages: number;
  /** Pixels of the largest page. */
  pixels: number;
}

const unreadable = () => new IngestError('ocr_failed', 'the image does not decode');

export function imagePixels(type: 'png' | 'jpeg' | 'tiff', bytes: Buffer): ImageSize {
  try {
    if (type === 'png') return { pages: 1, pixels: bytes.readUInt32BE(16) * bytes.readUInt32BE(20) };
    if (type === 'jpeg') return { pages: 1, pixels: jpegPixels(bytes) };
    return tiffSize(bytes);
  } catch (err) {
    if (err instanceof RangeError) throw unreadable();
    throw err;
  }
}

/** The frame header (SOFn) gives the size; it comes before the first scan. */
function jpegPixels(b: Buffer): number {
  let at = 2;
  for (;;) {
    while (b[at] === 0xff && b[at + 1] === 0xff) at++; // fill bytes
    if (b[at] !== 0xff) throw unreadable();
    const marker = b[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return b.readUInt16BE(at + 5) * b.readUInt16BE(at + 7);
    if (marker === 0xda || marker === 0xd9) throw unreadable();
    at += 2 + (marker >= 0xd0 && marker <= 0xd7 ? 0 : b.readUInt16BE(at + 2));
  }
}

/** Walks the chain of image directories; BigTIFF (magic 43) is not one we read. */
function tiffSize(b: Buffer): ImageSize {
  const le = b.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  if (u16(2) !== 42) throw unreadable();
  const seen = new Set<number>();
  let pages = 0;
  let pixels = 0;
  for (let ifd = u32(4); ifd !== 0; ) {
    if (seen.has(ifd)) throw unreadable(); // a loop in the chain
    seen.add(ifd);
    pages++;
    const size: Record<number, number> = {};
    const entries = u16(ifd);
    for (let e = 0; e < entries; e++) {
      const at = ifd + 2 + e * 12;
      const tag = u16(at);
      if (tag === 256 || tag === 257) size[tag] = u16(at + 2) === 3 ? u16(at + 8) : u32(at + 8);
    }
    pixels = Math.max(pixels, (size[256] ?? 0) * (size[257] ?? 0));
    ifd = u32(ifd + 2 + entries * 12);
  }
  return { pages, pixels };
}
