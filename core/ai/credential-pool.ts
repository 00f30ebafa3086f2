/** Rotates a provider's API keys round-robin, skipping keys that were rate limited recently. */
export class CredentialPool {
  private next = 0;
  private readonly coolUntil = new Map<string, number>();

  constructor(
    private readonly keys: readonly string[],
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The next key that is not cooling down, or undefined when every key is. */
  pick(): string | undefined {
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[(this.next + i) % this.keys.length];
      if (key !== undefined && (this.coolUntil.get(key) ?? 0) <= this.now()) {
        this.next = (this.next + i + 1) % this.keys.length;
        return key;
      }
    }
    return undefined;
  }

  /** Marks a key as rate limited: other keys are preferred until the cooldown ends. */
  coolDown(key: string): void {
    this.coolUntil.set(key, this.now() + this.cooldownMs);
  }

  /** A key that just answered is usable again, whatever its earlier 429. */
  restore(key: string): void {
    this.coolUntil.delete(key);
  }
}
