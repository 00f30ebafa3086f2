/** pino JSON logger. Secrets and personal data are redacted by key wherever they appear. */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'password', 'token', 'access_token', 'refresh_token', 'authorization', 'cookie',
  'content', 'text', 'email', 'secret', 'apiKey',
].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'legal-ai', ...base },
    redact: { paths: [...REDACT, 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
