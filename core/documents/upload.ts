/**
 * Receives one multipart upload: the `file` part streams through the inspector and the
 * envelope encryption straight into storage (never buffered whole, never plaintext at rest);
 * the other parts are short text fields. On any refusal the request is drained (so the client
 * reads the answer instead of a reset) and the object, whole or partial, is removed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Vault } from '../dlp/index.js';
import type { Logger } from '../log.js';
import type { Storage } from '../storage/index.js';
import { encryptStream, newDataKey } from './envelope.js';
import { UploadInspector, type Inspection } from './inspect.js';
import { UploadRefusal } from './refusal.js';
import { sealDataKey } from './keys.js';

export interface StoredFile extends Inspection {
  storageKey: string;
  /** The original name, as sent: kept only inside `sealedKey`, stored masked elsewhere. */
  filename: string;
  sealedKey: string;
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  file: StoredFile;
  /** Removes the stored object: the caller could not commit it. */
  discard(): Promise<void>;
}

export interface UploadOptions {
  storage: Storage;
  vault: Vault;
  maxBytes: number;
  documentId: string;
  /** The text fields allowed besides `file`. */
  fields: readonly string[];
  log: Logger;
}

/** Parts beyond the documented ones are refused by name; these bound what is parsed at all. */
const FIELD_BYTES = 4096;

export async function receiveUpload(req: IncomingMessage, opts: UploadOptions): Promise<ReceivedUpload> {
  if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) {
    req.resume();
    throw new UploadRefusal('unsupported', 'send multipart/form-data with one `file` part');
  }
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fields: 8, parts: 10, fieldSize: FIELD_BYTES, headerPairs: 20 } });
  } catch {
    req.resume();
    throw new UploadRefusal('malformed', 'the multipart body has no boundary');
  }
  const storageKey = `documents/${opts.documentId}/${randomUUID()}`;
  const fields: Record<string, string> = {};
  let refusal: UploadRefusal | undefined;
  let stored: Promise<StoredFile> | undefined;
  const refuse = (r: UploadRefusal) => {
    refusal ??= r;
  };

  const parsed = new Promise<void>((resolve, reject) => {
    bb.on('field', (name, value, info) => {
      if (!opts.fields.includes(name) || Object.hasOwn(fields, name)) refuse(new UploadRefusal('invalid', `unexpected part \`${name}\``, name));
      else if (info.valueTruncated) refuse(new UploadRefusal('invalid', `\`${name}\` is too long`, name));
      else fields[name] = value;
    });
    bb.on('file', (name, file, info) => {
      // busboy destroys a part's stream with its own error when the body ends early; that
      // error also reaches `bb` (handled below), and a part no longer read must not crash us.
      file.on('error', () => undefined);
      if (name !== 'file' || stored) {
        file.resume();
        refuse(new UploadRefusal('invalid', 'send exactly one file, in the part named `file`', 'file'));
        return;
      }
      stored = store(file, info.filename ?? '', storageKey, opts);
      // A refusal while streaming stops reading at once: the rest is drained, not parsed.
      stored.catch((err: unknown) => reject(err));
    });
    for (const limit of ['filesLimit', 'fieldsLimit', 'partsLimit'] as const) {
      bb.on(limit, () => refuse(new UploadRefusal('invalid', 'send one `file` part and the documented fields only', 'file')));
    }
    const incomplete = () => reject(new UploadRefusal('malformed', 'the multipart body is malformed or incomplete'));
    bb.on('error', incomplete);
    bb.on('close', resolve);
    // A client that goes away mid-upload ends nothing in busboy: notice it here.
    req.on('close', () => {
      if (!req.complete) incomplete();
    });
  });
  req.pipe(bb);

  const discard = () => opts.storage.delete(storageKey);
  try {
    await parsed;
    if (!stored) throw refusal ?? new UploadRefusal('invalid', 'a `file` part is required', 'file');
    const file = await stored;
    if (refusal) throw refusal;
    return { fields, file, discard };
  } catch (err) {
    req.unpipe(bb);
    req.resume();
    // A part still streaming into storage ends with the parser: a client gone mid-upload ends
    // nothing in busboy, and the write would wait for the rest of the part for good.
    bb.destroy(err instanceof Error ? err : undefined);
    // Let a write in flight settle before removing what it left.
    await stored?.catch(() => undefined);
    // The client is owed the reason it was refused; an object left behind is logged (ciphertext).
    await discard().catch((cause: unknown) => opts.log.error({ err: cause, storage_key: storageKey }, 'could not remove a refused upload'));
    throw refusal ?? err;
  }
}

async function store(file: Readable, filename: string, storageKey: string, opts: UploadOptions): Promise<StoredFile> {
  // The name comes back in Content-Disposition and is masked into the row: no control characters.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!filename || filename.length > 255 || /[\u0000-\u001f\u007f]/.test(filename) || !filename.isWellFormed()) {
    file.resume();
    throw new UploadRefusal('invalid', 'the `file` part needs a file name of at most 255 printable characters', 'file');
  }
  const key = newDataKey();
  const inspector = new UploadInspector({ maxBytes: opts.maxBytes, filename });
  let refusal: unknown;
  async function* sealed() {
    try {
      yield* encryptStream(inspector.pass(file), key);
    } catch (err) {
      refusal = err;
      throw err;
    }
  }
  const body = Readable.from(sealed());
  try {
    await opts.storage.put(storageKey, body, 'application/octet-stream');
  } catch (err) {
    body.destroy();
    file.resume();
    // The inspector's refusal is the reason; the storage error it caused is not.
    throw refusal ?? err;
  }
  if (!inspector.result) throw new Error('upload ended without an inspection');
  return { ...inspector.result, storageKey, filename, sealedKey: sealDataKey(opts.vault, storageKey, key, filename) };
}
