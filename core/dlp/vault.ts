/**
 * AES-256-GCM sealing of pseudonymization state, and restore() that puts original values back
 * into a pseudonymized text (for example a model's answer) where the product decides to.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { PlaceholderRegistry } from './placeholders.js';
import { DlpError } from './types.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1.';

export class Vault {
  readonly #key: Buffer;
  readonly #before?: Vault;

  /** `before`: the vault whose seals this one still opens (data sealed before it existed). */
  constructor(key: Buffer, before?: Vault) {
    if (!Buffer.isBuffer(key) || key.length !== 32) throw new DlpError('dlp_bad_input', 'vault key must be 32 bytes');
    this.#key = Buffer.from(key);
    this.#before = before;
  }

  /**
   * A vault for one data subject, keyed by this vault's key and the subject's own secret:
   * once the secret is deleted, nothing it sealed opens again, copies in backups included
   * (crypto-shredding). It still opens what this vault sealed before subjects had secrets.
   */
  forSubject(secret: Buffer): Vault {
    if (secret.length < 16) throw new DlpError('dlp_bad_input', 'a subject secret must be at least 16 bytes');
    return new Vault(Buffer.from(hkdfSync('sha256', this.#key, secret, 'legal-ai:subject-data', 32)), this);
  }

  /** Encrypts any JSON value; `aad` (e.g. the chat id) binds the ciphertext to its owner. */
  seal(value: unknown, aad?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** Decrypts what seal() produced; throws DlpError on a wrong key, aad or tampered data. */
  open<T = unknown>(sealed: string, aad?: string): T {
    try {
      if (!sealed.startsWith(PREFIX)) throw new Error('unknown format');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch (cause) {
      if (this.#before) return this.#before.open<T>(sealed, aad);
      throw new DlpError('dlp_failed', 'vault data cannot be opened', { cause });
    }
  }
}

const TOKEN = /\[[A-Z_]{2,20}_\d{1,9}(?:\.\d{1,9})?\]/g;

/** Replaces pseudonym tokens by their original values; unknown tokens are left as they are. */
export function restore(maskedText: string, mapping: PlaceholderRegistry | Record<string, string>): string {
  const lookup = mapping instanceof PlaceholderRegistry
    ? (t: string) => mapping.original(t)
    : (t: string) => (Object.hasOwn(mapping, t) ? mapping[t] : undefined);
  return maskedText.replace(TOKEN, (token) => lookup(token) ?? token);
}
