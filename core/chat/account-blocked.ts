/**
 * Why the work of a blocked account ends unanswered. Kept apart from failures.ts so that
 * account changes (the API and the CLI) need not load the AI and DLP engines.
 */
export const ACCOUNT_BLOCKED = { code: 'account_blocked', detail: 'the account was blocked' } as const;

/** Thrown by a stage that finds its owner blocked: no AI call is made for them. */
export class AccountBlockedError extends Error {
  override name = 'AccountBlockedError';
}
