import { z } from 'zod';

export const isoDate = z.iso.datetime({ offset: true });
export const uuidParam = z.uuid();

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
