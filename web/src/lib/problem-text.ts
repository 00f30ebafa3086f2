/**
 * What a failed request says to the person, in the interface's language, by the problem's
 * stable `code` (API.md), never the server's English `detail`. A page says it more exactly for
 * the codes it knows (`own`: a taken e-mail at sign-up, a chat that is not there).
 */
import { ApiError } from './api';
import { translate } from './i18n';

export type OwnTexts = Partial<Record<string, string>>;

/** A wait as a person reads it: seconds, minutes or hours, rounded up. */
function waitText(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} ${translate('problem_unit_s')}`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} ${translate('problem_unit_min')}`;
  return `${Math.ceil(seconds / 3600)} ${translate('problem_unit_h')}`;
}

export function errorText(err: unknown, own: OwnTexts = {}): string {
  if (!(err instanceof ApiError)) return translate('problem_unknown');
  const key = `problem_${err.code}`;
  const known = own[err.code] ?? translate(key);
  const text = known !== key ? known : translate(err.status === 0 || err.status >= 500 ? 'problem_internal_error' : 'problem_bad_request');
  return err.retryAfter && err.status === 429 ? `${text} ${translate('problem_retryIn').replace('{wait}', waitText(err.retryAfter))}` : text;
}
