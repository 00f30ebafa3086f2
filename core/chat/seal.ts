/**
 * Raw user text travels to the masking job sealed with AES-256-GCM (secrets.encryptionKey):
 * BullMQ keeps job data in Redis in clear text. The message id is bound in as associated
 * data, so a sealed blob cannot be replayed into another message's job.
 */
import { Vault } from '../dlp/index.js';

export interface Sealer {
  seal(text: string, messageId: string): string;
  open(sealed: string, messageId: string): string;
}

export function createSealer(key: Buffer): Sealer {
  const vault = new Vault(key);
  return {
    seal: (text, messageId) => vault.seal({ t: text }, `message:${messageId}`),
    open: (sealed, messageId) => vault.open<{ t: string }>(sealed, `message:${messageId}`).t,
  };
}
