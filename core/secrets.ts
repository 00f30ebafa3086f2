/**
 * Secrets: taken from the environment; otherwise generated once into DATA_DIR (mode 0600)
 * so a laptop start needs no set-up. Refused when missing under NODE_ENV=production.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from './config.js';
import { privateDataDir } from './data-dir.js';

export interface Secrets {
  jwtSecret: Uint8Array;
  encryptionKey: Buffer;
}

interface SecretsFile {
  jwt_secret: string;
  encryption_key: string;
}

export function resolveSecrets(config: Config): Secrets {
  const { jwtSecret } = config.auth;
  const { encryptionKey } = config;
  if (config.isProduction) {
    const missing = [!jwtSecret && 'JWT_SECRET', !encryptionKey && 'ENCRYPTION_KEY'].filter(Boolean);
    if (missing.length) {
      throw new ConfigError(`refusing to start in production without ${missing.join(' and ')}`);
    }
  }
  const stored = jwtSecret && encryptionKey ? undefined : readOrCreate(config.dataDir);
  return {
    jwtSecret: new TextEncoder().encode(jwtSecret ?? stored!.jwt_secret),
    encryptionKey: Buffer.from(encryptionKey ?? stored!.encryption_key, 'base64'),
  };
}

function readOrCreate(dataDir: string): SecretsFile {
  const file = path.join(dataDir, 'secrets.json');
  privateDataDir(dataDir);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as SecretsFile;
  const created: SecretsFile = {
    jwt_secret: randomBytes(48).toString('base64url'),
    encryption_key: randomBytes(32).toString('base64'),
  };
  // 'wx' fails if another process won the race; then read what it wrote.
  try {
    fs.writeFileSync(file, JSON.stringify(created), { mode: 0o600, flag: 'wx' });
    return created;
  } catch {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SecretsFile;
  }
}
