/**
 * Raw user text travels to its job sealed with AES-256-GCM: BullMQ keeps job data in Redis in
 * clear text, and Redis's append-only file and its backups keep it longer. It is sealed with
 * the account's own key (`Vault.forSubject` with its secret in `user_keys`), so once the
 * account is erased no key the service holds opens a copy; text sealed with the service key
 * before still opens. The message (or request) id is bound in as associated data, so a sealed
 * blob cannot be replayed into another message's job.
 */
import { Vault } from '../dlp/index.js';

export interface Sealer {
  seal(text: string, messageId: string, ownerSecret: Buffer): string;
  open(sealed: string, messageId: string, ownerSecret: Buffer): string;
}

export function createSealer(key: Buffer): Sealer {
  const vault = new Vault(key);
  return {
    seal: (text, messageId, ownerSecret) => vault.forSubject(ownerSecret).seal({ t: text }, `message:${messageId}`),
    open: (sealed, messageId, ownerSecret) => vault.forSubject(ownerSecret).open<{ t: string }>(sealed, `message:${messageId}`).t,
  };
}
