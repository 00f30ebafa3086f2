/** pino JSON logger. Secrets and personal data are redacted by key wherever they appear. */
import { pino, type DestinationStream, type Logger } from 'pino';
import { logContext } from './telemetry/tracing.js';

export type { DestinationStream, Logger };

const REDACT = [
  'password', 'token', 'access_token', 'refresh_token', 'authorization', 'cookie',
  'content', 'text', 'email', 'secret', 'apiKey',
].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/**
 * Errors keep type, message, code and stack only: drivers attach fields such as Postgres'
 * `detail` ("Key (email)=(...) already exists") that would carry personal data.
 */
function serializeError(err: unknown) {
  if (!(err instanceof Error)) return err;
  return { type: err.name, message: err.message, code: (err as { code?: unknown }).code, stack: err.stack };
}

/** A logger writing JSON lines to `destination` (stdout when none). */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    serializers: { err: serializeError },
    base: { service: 'legal-ai', ...base },
    // trace_id and span_id on every line written inside a trace (nothing when tracing is off).
    mixin: logContext,
    redact: { paths: [...REDACT, 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
