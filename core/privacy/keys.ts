/** Keys derived from ENCRYPTION_KEY for one purpose each (HKDF-SHA256), so no key serves two jobs. */
import { createHmac, hkdfSync } from 'node:crypto';

export const derivedKey = (master: Buffer, purpose: 'audit-digest' | 'person-hash') =>
  Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `legal-ai:${purpose}`, 32));

/** A keyed hash of an e-mail: names a person in a destruction act without holding their data. */
export const personHash = (master: Buffer, email: string) =>
  createHmac('sha256', derivedKey(master, 'person-hash')).update(email.trim().toLowerCase()).digest('hex');
