/**
 * Subscription periods we count ourselves (YooKassa; Stripe counts its own): whole months from
 * the anchor, the first period's start, in UTC whatever the session's time zone. Counted from
 * the anchor rather than from the last end, a month never loses the days a short one clamped:
 * bought on 31 Jan, the periods end on 28 Feb, 31 Mar, 30 Apr.
 */

const utc = (at: string) => `(${at}) AT TIME ZONE 'UTC'`;
const monthsAfter = (from: string, months: string) => `(${utc(from)} + make_interval(months => ${months})) AT TIME ZONE 'UTC'`;

/** The first period's end, a month from now (its anchor is now()). */
export const FIRST_PERIOD_END = monthsAfter('now()', '1');

const ANCHOR = 'coalesce(period_anchor, current_period_end)';
const MONTHS_FROM_ANCHOR = `((date_part('year', ${utc('current_period_end')}) - date_part('year', ${utc(ANCHOR)})) * 12
  + date_part('month', ${utc('current_period_end')}) - date_part('month', ${utc(ANCHOR)}))::int`;

/** The end of the period after the current one, in an UPDATE of the subscription's row. */
export const NEXT_PERIOD_END = monthsAfter(ANCHOR, `${MONTHS_FROM_ANCHOR} + 1`);
