import type { ParameterizedContext } from 'koa';
import type { Logger } from '../core/log.js';
import type { User } from '../core/db/models/index.js';

export interface AppState {
  requestId: string;
  log: Logger;
  /** Set by the auth guard on routes that require a user. */
  user?: User;
  /** Set for a route that writes nothing whatever its method (RouteDef.readOnly). */
  readOnly?: boolean;
}

export type AppContext = ParameterizedContext<AppState>;
