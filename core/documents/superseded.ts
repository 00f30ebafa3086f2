/**
 * Thrown inside a transaction to roll it back when its version was superseded or its document
 * deleted meanwhile (a registry locked for a gone document must not be created again); the
 * caller catches it and skips.
 */
export class Superseded extends Error {}
