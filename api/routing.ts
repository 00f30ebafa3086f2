/**
 * Route definitions: one zod schema each for params, query, body and responses. The same
 * definition validates the request, guards access, and describes the route in OpenAPI.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import type { Role } from '../core/db/models/index.js';
import { fieldErrors, problems } from './problem.js';
import { findBadText } from './text-guard.js';
import type { AppContext, AppState } from './context.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** `public`: no token; `user`: any signed-in account; a role list: only those roles. */
export type Access = 'public' | 'user' | readonly Role[];

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** koa-router syntax: `/api/chats/:chat_id`. */
  path: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Request headers the route reads (documented only), e.g. Idempotency-Key. */
  headers?: string[];
  /** A POST that writes nothing (a search): the caller's next reads need not wait for a replica. */
  readOnly?: boolean;
  responses: Record<number, ResponseSpec>;
  handler: (ctx: AppContext & { state: AppState & { user: NonNullable<AppState['user']> } }, input: { params: P; query: Q; body: B }) => Promise<void>;
}

/** Keeps handler input types inferred from the schemas. */
export function defineRoute<P = unknown, Q = unknown, B = unknown>(def: RouteDef<P, Q, B>): RouteDef<P, Q, B> {
  return def;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any, any>;

export type Authenticate = (ctx: AppContext) => Promise<void>;

function parseOr<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string, status: 400 | 422): T {
  if (!schema) return undefined as T;
  const bad = findBadText(value, where);
  if (bad) throw problems.validation([bad], status);
  const result = schema.safeParse(value);
  if (!result.success) throw problems.validation(fieldErrors(result.error.issues, where), status);
  return result.data;
}

/** No route takes a query key twice (`?limit=1&limit=2`): said as such, not as the schema's complaint about an array. */
function singleValued(schema: z.ZodType, query: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const declared = schema instanceof z.ZodObject ? new Set(Object.keys(schema.shape)) : undefined;
  const repeated = Object.keys(query).filter((key) => Array.isArray(query[key]) && (!declared || declared.has(key)));
  if (repeated.length) throw problems.validation(repeated.map((key) => ({ path: `query.${key}`, message: 'given more than once: give it once' })), 400);
  return query as Record<string, string | undefined>;
}

function hasBody(ctx: AppContext): boolean {
  const len = ctx.request.headers['content-length'];
  return Boolean(ctx.request.headers['transfer-encoding']) || (len !== undefined && len !== '0');
}

export function mountRoutes(router: Router<AppState>, routes: AnyRoute[], authenticate: Authenticate, validateResponses: boolean): void {
  for (const route of routes) {
    router[route.method](route.path, async (ctx) => {
      const c = ctx as unknown as AppContext;
      if (route.access !== 'public') {
        await authenticate(c);
        const user = c.state.user!;
        if (Array.isArray(route.access) && !route.access.includes(user.role)) throw problems.forbidden();
      }
      if (route.readOnly) c.state.readOnly = true;
      if (route.body && hasBody(c) && !c.is('application/json')) throw problems.unsupportedMediaType();
      const params = parseOr(route.params, ctx.params, 'params', 400);
      const query = parseOr(route.query, route.query ? singleValued(route.query, ctx.query) : undefined, 'query', 400);
      const body = parseOr(route.body, (ctx.request as { body?: unknown }).body ?? {}, 'body', 422);
      await route.handler(c as Parameters<AnyRoute['handler']>[0], { params, query, body });
      if (validateResponses) checkResponse(route, c);
    });
  }
}

/** Outside production, a response that drifts from its declared schema is a bug: fail loudly. */
function checkResponse(route: AnyRoute, ctx: AppContext): void {
  const spec = route.responses[ctx.status];
  if (!spec) throw new Error(`${route.method.toUpperCase()} ${route.path} answered undeclared status ${ctx.status}`);
  if (!spec.schema) return;
  const result = spec.schema.safeParse(ctx.body);
  if (!result.success) {
    throw new Error(`${route.method.toUpperCase()} ${route.path} ${ctx.status} response drifts from its schema: ${result.error.message}`);
  }
}
