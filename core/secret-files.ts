/**
 * `NAME_FILE` for every secret (the Docker and Kubernetes secrets convention): the value is
 * read from the file, so keys never sit in the environment of a process listing. Setting
 * both `NAME` and `NAME_FILE` is a mistake, not a precedence rule.
 */
import fs from 'node:fs';
import { ConfigError } from './config.js';

export const FILE_SECRETS = [
  'JWT_SECRET', 'ENCRYPTION_KEY', 'DATABASE_URL', 'DATABASE_OWNER_URL', 'DATABASE_READ_URL', 'REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD',
  'S3_SECRET_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'YANDEX_API_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET',
  'YOOKASSA_SECRET_KEY', 'METRICS_TOKEN',
] as const;

/** The environment with each `NAME_FILE` replaced by `NAME` = the file's content (one trailing newline dropped). */
export function withSecretFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of FILE_SECRETS) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) throw new ConfigError(`invalid configuration: ${name} and ${name}_FILE are both set; keep one`);
    try {
      out[name] = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(`invalid configuration: ${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return out;
}
