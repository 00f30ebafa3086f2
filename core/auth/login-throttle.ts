/**
 * Login throttling per account and per IP. Every attempt is counted before the password
 * is checked; past the limit a login answers 429 with Retry-After until the window ends.
 * An account's limit holds per client address: from one address, a few guesses lock the
 * account there only, so a stranger cannot lock its owner out from anywhere; across all
 * addresses it may take ACCOUNT_SPREAD times as many, which bounds a guessing botnet.
 */
import { createHmac } from 'node:crypto';
import { clientKey } from './client-address.js';
import type { WindowCounter } from './window-counter.js';

/** How many addresses' worth of failures an account takes in a window before it is throttled everywhere. */
export const ACCOUNT_SPREAD = 10;

export interface LoginAttempt {
  /** Seconds to wait when throttled, else 0 (then check the password). */
  wait: number;
  /**
   * The first refusal of its window (per account or per address): the one to audit. Auditing
   * each would let a flood of refused guesses grow the append-only trail without bound.
   */
  firstRefusal: boolean;
  /** The password was right: clears the account's failures; the attempt does not count against the IP. */
  succeeded(): Promise<void>;
}

export interface LoginThrottle {
  /** Counts the attempt. */
  attempt(email: string, ip: string): Promise<LoginAttempt>;
}

/** `hashKey`: a key of its own (derivedKey 'login-throttle'), so a key name cannot be matched to a list of addresses. */
export function createLoginThrottle(counter: WindowCounter, opts: { maxPerAccount: number; maxPerIp: number; windowSeconds: number; hashKey: Buffer }): LoginThrottle {
  return {
    async attempt(email, ip) {
      const client = clientKey(ip);
      // A keyed hash of the e-mail, never the address itself: whoever reads Redis cannot tell
      // whose attempts these are by hashing candidate addresses.
      const account = `login:acct:${createHmac('sha256', opts.hashKey).update(email).digest('hex').slice(0, 32)}`;
      const keys = { here: `${account}:${client}`, everywhere: account, ip: `login:ip:${client}` };
      const [here, i] = await Promise.all([
        counter.hit(keys.here, opts.maxPerAccount, opts.windowSeconds),
        counter.hit(keys.ip, opts.maxPerIp, opts.windowSeconds),
      ]);
      // The account's count across addresses takes only attempts its address was allowed: one
      // address refused on and on would otherwise lock the account everywhere by itself.
      const everywhere = here.wait > 0 || i.wait > 0 ? undefined : await counter.hit(keys.everywhere, opts.maxPerAccount * ACCOUNT_SPREAD, opts.windowSeconds);
      return {
        wait: Math.max(here.wait, everywhere?.wait ?? 0, i.wait),
        firstRefusal: here.first || Boolean(everywhere?.first) || i.first,
        succeeded: async () => void (await Promise.all([counter.reset(keys.here), counter.reset(keys.everywhere), counter.undo(keys.ip, i.window)])),
      };
    },
  };
}
