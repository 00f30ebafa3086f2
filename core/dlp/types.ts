/** Personal-data types reported by the DLP engine (see shared/API.md, "Personal data types"). */
export const PII_TYPES = [
  'PERSON',
  'PHONE',
  'EMAIL',
  'INN',
  'SNILS',
  'OGRN',
  'OGRNIP',
  'PASSPORT',
  'CARD',
  'BANK_ACCOUNT',
  'BIK',
  'OMS_POLICY',
  'VEHICLE_PLATE',
  'BIRTH_DATE',
  'ADDRESS',
  'IP_ADDRESS',
] as const;

export type PiiType = (typeof PII_TYPES)[number];

/** One found value. Offsets are UTF-16 code units (as JavaScript strings count), end exclusive. */
export interface DetectedEntity {
  type: PiiType;
  start: number;
  end: number;
  /** Confidence in [0, 1]. */
  score: number;
}

/** Raised whenever the engine cannot vouch for its result: the caller must refuse the text. */
export class DlpError extends Error {
  readonly code: string;
  constructor(code: 'dlp_failed' | 'dlp_timeout' | 'dlp_too_large' | 'dlp_bad_input', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DlpError';
    this.code = code;
  }
}
