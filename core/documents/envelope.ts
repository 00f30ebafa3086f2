/**
 * The encrypted envelope of a stored document version: AES-256-GCM in fixed-size chunks, so
 * a file of any size is encrypted and decrypted as it streams, and every chunk is
 * authenticated before one byte of it is released.
 *
 *   header  = "LDOC" | 0x01 | chunk size (uint32 BE) | base nonce (12 random bytes)
 *   chunk i = ciphertext (chunk size bytes; the last one 1..chunk size) | tag (16 bytes)
 *   nonce_i = base nonce XOR i (big-endian in the last 8 bytes)
 *   AAD_i   = header | i (uint64 BE) | final flag (1 on the last chunk, else 0)
 *
 * The index in nonce and AAD detects reordering; the final flag detects truncation at a chunk
 * boundary (the last chunk left was sealed as "not final") and appended chunks; the header in
 * the AAD detects a changed chunk size or nonce; a data key per version detects splicing.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Storage } from '../storage/index.js';

const MAGIC = Buffer.from('LDOC\x01', 'latin1');
const HEADER_BYTES = MAGIC.length + 4 + 12;
const TAG_BYTES = 16;
export const CHUNK_BYTES = 64 * 1024;
/** A header naming a bigger chunk is refused before anything is buffered for it. */
const MAX_CHUNK_BYTES = 1024 * 1024;

/** The stored object does not decrypt: tampered, truncated or not ours. */
export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
  readonly code = 'document_corrupt';
}

export const newDataKey = () => randomBytes(32);

function nonceOf(base: Buffer, index: number): Buffer {
  const nonce = Buffer.from(base);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(index));
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= counter[i]!;
  return nonce;
}

function aadOf(header: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(BigInt(index));
  tail[8] = final ? 1 : 0;
  return Buffer.concat([header, tail]);
}

/** Collects incoming pieces and hands out fixed-size slices without re-copying on every push. */
class ByteQueue {
  #parts: Buffer[] = [];
  length = 0;
  push(b: Buffer) {
    if (b.length) {
      this.#parts.push(b);
      this.length += b.length;
    }
  }
  take(n: number): Buffer {
    const all = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.length);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#parts = rest.length ? [rest] : [];
    this.length = rest.length;
    return out;
  }
}

/** Encrypts a plaintext stream into the envelope; the plaintext is never held beyond two chunks. */
export async function* encryptStream(source: AsyncIterable<Buffer>, key: Buffer, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(chunkBytes);
  const base = randomBytes(12);
  const header = Buffer.concat([MAGIC, size, base]);
  yield header;
  const queue = new ByteQueue();
  let index = 0;
  const seal = (plain: Buffer, final: boolean) => {
    const cipher = createCipheriv('aes-256-gcm', key, nonceOf(base, index));
    cipher.setAAD(aadOf(header, index, final));
    index++;
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  };
  for await (const piece of source) {
    queue.push(piece);
    // A full chunk is sealed as "not final" only once a byte beyond it is known to exist.
    while (queue.length > chunkBytes) yield seal(queue.take(chunkBytes), false);
  }
  yield seal(queue.take(queue.length), true);
}

/** Decrypts the envelope, yielding each chunk's plaintext only after its tag verified. */
export async function* decryptStream(source: AsyncIterable<Buffer>, key: Buffer): AsyncGenerator<Buffer> {
  const queue = new ByteQueue();
  let header: Buffer | undefined;
  let chunkBytes = 0;
  let base: Buffer = Buffer.alloc(0);
  let index = 0;
  const open = (sealed: Buffer, final: boolean) => {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(base, index));
      decipher.setAAD(aadOf(header!, index, final));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      index++;
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new EnvelopeError(`chunk ${index} does not authenticate`);
    }
  };
  for await (const piece of source) {
    queue.push(piece as Buffer);
    if (!header) {
      if (queue.length < HEADER_BYTES) continue;
      header = queue.take(HEADER_BYTES);
      chunkBytes = header.readUInt32BE(MAGIC.length);
      base = header.subarray(MAGIC.length + 4);
      if (!header.subarray(0, MAGIC.length).equals(MAGIC) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
        throw new EnvelopeError('not a document envelope');
      }
    }
    while (queue.length > chunkBytes + TAG_BYTES) yield open(queue.take(chunkBytes + TAG_BYTES), false);
  }
  if (!header || queue.length < TAG_BYTES) throw new EnvelopeError('the envelope is truncated');
  yield open(queue.take(queue.length), true);
}

/**
 * The plaintext of a stored object, opened at the first read, not before: an object stream
 * opened up front stays open (a descriptor, an S3 connection the store may drop) behind a
 * response that fails before it reads, or an archive that reaches it later.
 */
export async function* readSealed(storage: Storage, storageKey: string, key: Buffer): AsyncGenerator<Buffer> {
  yield* decryptStream(await storage.get(storageKey), key);
}
