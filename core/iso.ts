/** Timestamps as the API writes them: ISO 8601 in UTC; a missing one stays null. */
export const iso = (d: Date | string) => new Date(d).toISOString();
export const isoOrNull = (d: Date | string | null | undefined) => (d ? iso(d) : null);
