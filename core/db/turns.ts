/**
 * PGlite has one backend session. Everyone using it — this process's own knex connection
 * and each client on the socket — takes turns: a session keeps its turn from its first
 * message until the backend is idle again (no open transaction, no extended-protocol
 * sequence waiting for its Sync), so no one's statements land inside another's transaction.
 */
export class Turns {
  #holder: string | null = null;
  #waiting: Array<{ session: string; grant: () => void; refuse: (err: Error) => void }> = [];

  get holder(): string | null {
    return this.#holder;
  }

  /** Resolves when `session` has the turn (at once if it already has it), in arrival order. */
  take(session: string): Promise<void> {
    if (this.#holder === session) return Promise.resolve();
    if (this.#holder === null) {
      this.#holder = session;
      return Promise.resolve();
    }
    return new Promise((grant, refuse) => this.#waiting.push({ session, grant, refuse }));
  }

  /** Passes the turn on; a no-op for a session that does not hold it. */
  give(session: string): void {
    if (this.#holder !== session) return;
    const next = this.#waiting.shift();
    this.#holder = next?.session ?? null;
    next?.grant();
  }

  /** A session that went away stops waiting. */
  forget(session: string): void {
    const gone = this.#waiting.filter((w) => w.session === session);
    this.#waiting = this.#waiting.filter((w) => w.session !== session);
    for (const w of gone) w.refuse(new Error('session closed'));
  }
}
