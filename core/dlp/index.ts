/**
 * DLP engine: detection and masking of personal data in Russian text.
 * pii_score is defined in engine.ts (and README.md): found values weighted by type, per 1000
 * characters of text, capped at 1.
 */
export { scan, piiScore, resolveOverlaps, DETECTORS, TYPE_WEIGHTS } from './engine.js';
export type { ScanOptions, ScanResult, NamedDetector } from './engine.js';
export { mask, partialMask } from './operators.js';
export type { MaskOperator, MaskOptions, MaskResult } from './operators.js';
export { PlaceholderRegistry, normalizeValue } from './placeholders.js';
export type { RegistryState } from './placeholders.js';
export { Vault, restore } from './vault.js';
export { DlpError, PII_TYPES } from './types.js';
export type { DetectedEntity, PiiType } from './types.js';
