/**
 * Rewrites chosen entries of a zip archive held in memory and copies every other entry byte
 * for byte (local header, data and data descriptor as they were), so a DOCX keeps its
 * styles, numbering and fonts exactly. A rewritten entry gets a fresh local header (deflate,
 * CRC and sizes in place of a data descriptor); the central directory is copied with new
 * offsets. The archive passed the upload's checks (no ZIP64, bounded entries); inflation is
 * still capped.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { findEocd, inflateEntry, ZipEntryError } from './zip.js';

const CD_SIG = 0x02014b50;
const CD_HEADER_BYTES = 46;
const LOCAL_HEADER_BYTES = 30;
const DATA_DESCRIPTOR_FLAG = 0x0008;

interface Entry {
  name: string;
  /** The central directory record, name, extra field and comment included. */
  record: Buffer;
  localAt: number;
  /** Where the entry's bytes end: the next entry's local header, or the central directory. */
  localEnd: number;
}

function readDirectory(zip: Buffer): { entries: Entry[]; cdOffset: number; eocd: number } {
  const eocd = findEocd(zip);
  if (eocd < 0) throw new ZipEntryError('malformed', 'no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  const entries: Entry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + CD_HEADER_BYTES > eocd || zip.readUInt32LE(at) !== CD_SIG) throw new ZipEntryError('malformed', 'bad central directory');
    const nameEnd = at + CD_HEADER_BYTES + zip.readUInt16LE(at + 28);
    const end = nameEnd + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    entries.push({ name: zip.subarray(at + CD_HEADER_BYTES, nameEnd).toString('utf8'), record: zip.subarray(at, end), localAt: zip.readUInt32LE(at + 42), localEnd: 0 });
    at = end;
  }
  const byOffset = [...entries].sort((a, b) => a.localAt - b.localAt);
  byOffset.forEach((e, i) => {
    e.localEnd = byOffset[i + 1]?.localAt ?? cdOffset;
    if (e.localEnd < e.localAt + LOCAL_HEADER_BYTES) throw new ZipEntryError('malformed', 'overlapping entries');
  });
  return { entries, cdOffset, eocd };
}

/**
 * `choose(name)` returns how to rewrite an entry's inflated bytes, its new bytes (the old ones
 * are then never inflated), or undefined to copy it.
 */
export function rewriteZip(zip: Buffer, maxEntryBytes: number, choose: (name: string) => Buffer | ((data: Buffer) => Buffer) | undefined): Buffer {
  const { entries, eocd } = readDirectory(zip);
  const out: Buffer[] = [];
  const records = new Map<Entry, Buffer>();
  let offset = 0;
  for (const e of [...entries].sort((a, b) => a.localAt - b.localAt)) {
    const record = Buffer.from(e.record);
    record.writeUInt32LE(offset, 42);
    const rewrite = choose(e.name);
    if (!rewrite) {
      out.push(zip.subarray(e.localAt, e.localEnd));
      offset += e.localEnd - e.localAt;
    } else {
      const data = Buffer.isBuffer(rewrite) ? rewrite : rewrite(inflateEntry(zip, e.localAt, e.record.readUInt16LE(10), e.record.readUInt32LE(20), maxEntryBytes));
      const packed = deflateRawSync(data);
      const local = Buffer.from(zip.subarray(e.localAt, e.localAt + LOCAL_HEADER_BYTES + zip.readUInt16LE(e.localAt + 26) + zip.readUInt16LE(e.localAt + 28)));
      for (const [buf, base] of [[local, 6], [record, 8]] as const) {
        buf.writeUInt16LE(buf.readUInt16LE(base) & ~DATA_DESCRIPTOR_FLAG, base);
        buf.writeUInt16LE(8, base + 2);
        buf.writeUInt32LE(crc32(data), base + 8);
        buf.writeUInt32LE(packed.length, base + 12);
        buf.writeUInt32LE(data.length, base + 16);
      }
      out.push(local, packed);
      offset += local.length + packed.length;
    }
    records.set(e, record);
  }
  const directory = Buffer.concat(entries.map((e) => records.get(e)!));
  const end = Buffer.from(zip.subarray(eocd));
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, directory, end]);
}
