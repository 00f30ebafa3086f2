/**
 * Each stored version has its own random AES-256 data key, sealed with ENCRYPTION_KEY (the
 * same Vault as PII registries) and bound to its storage key, so a sealed key copied onto
 * another version's row does not open. The original file name travels inside the same seal:
 * it is typed by a person and stored in clear nowhere.
 */
import type { Vault } from '../dlp/index.js';

interface SealedKey {
  k: string;
  name: string;
}

const aad = (storageKey: string) => `document-object:${storageKey}`;

export function sealDataKey(vault: Vault, storageKey: string, key: Buffer, filename: string): string {
  return vault.seal({ k: key.toString('base64'), name: filename } satisfies SealedKey, aad(storageKey));
}

export function openDataKey(vault: Vault, storageKey: string, sealed: string): { key: Buffer; filename: string } {
  const { k, name } = vault.open<SealedKey>(sealed, aad(storageKey));
  return { key: Buffer.from(k, 'base64'), filename: name };
}
