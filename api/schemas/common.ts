import { z } from 'zod';

export const isoDate = z.iso.datetime({ offset: true });
export const uuidParam = z.uuid();

/**
 * `?from` / `?to` of the reports and the audit trail: a UTC day (`YYYY-MM-DD`) or a time with
 * its offset, in the years a report can mean (which also keeps PostgreSQL's range out of reach).
 */
export const reportTime = z.union([z.iso.date(), isoDate]).refine((t) => {
  const year = new Date(t).getUTCFullYear();
  return year >= 1970 && year <= 2999;
}, 'must be a day (YYYY-MM-DD) or a time with an offset, between 1970 and 2999');

const isDay = (t: string) => t.length === 10;
/** Where a `from` starts: a day starts at its UTC midnight. */
export const rangeStart = (t: string) => new Date(t).toISOString();
/** Where a `to` ends (exclusive): a day is included whole. */
export const rangeEnd = (t: string) => new Date(Date.parse(t) + (isDay(t) ? 86_400_000 : 0)).toISOString();
/** The UTC day a `from` or `to` falls on, for reports by day. */
export const utcDayOf = (t: string) => new Date(t).toISOString().slice(0, 10);

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(['user', 'lawyer', 'admin']),
  status: z.enum(['active', 'blocked']),
  created_at: isoDate,
});

/** `?limit=` (default 20, max 100) and `?cursor=` as the contract says. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });
