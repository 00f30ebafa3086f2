/**
 * The state of one request, whose logger is made when first used: a pino child with our
 * redaction paths costs about 10 µs, and most requests log nothing below the access line
 * (which is off above `info`).
 */
import type { Logger } from '../core/log.js';
import type { User } from '../core/db/models/index.js';
import type { AppContext, AppState } from './context.js';

export class RequestState implements AppState {
  user?: User;
  readonly requestId: string;
  readonly #base: Logger;
  readonly #fields: Record<string, unknown>;
  #log?: Logger;

  constructor(requestId: string, base: Logger) {
    this.requestId = requestId;
    this.#base = base;
    this.#fields = { req_id: requestId };
  }

  get log(): Logger {
    return (this.#log ??= this.#base.child(this.#fields));
  }

  set log(log: Logger) {
    this.#log = log;
  }

  /** Adds fields to every line logged from now on. */
  bindLog(fields: Record<string, unknown>): void {
    if (this.#log) this.#log = this.#log.child(fields);
    else Object.assign(this.#fields, fields);
  }
}

/** Adds fields to every line the request logs from now on, without making its logger before it is needed. */
export function bindLogFields(ctx: AppContext, fields: Record<string, unknown>): void {
  if (ctx.state instanceof RequestState) ctx.state.bindLog(fields);
  else ctx.state.log = ctx.state.log.child(fields);
}
