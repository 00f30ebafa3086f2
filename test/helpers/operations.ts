/** Every operation of the running API, read from its own OpenAPI document. */
import { request } from './http.js';

export interface Operation {
  key: string;
  method: string;
  path: string;
  params: string[];
  secured: boolean;
  roles?: string[];
  hasBody: boolean;
}

export async function listOperations(base: string): Promise<Operation[]> {
  const doc = (await request(base, 'GET', '/api/openapi.json')).body as {
    paths: Record<string, Record<string, { security: unknown[]; 'x-roles'?: string[]; requestBody?: unknown }>>;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        params: [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!),
        secured: op.security.length > 0,
        roles: op['x-roles'],
        hasBody: Boolean(op.requestBody),
      });
    }
  }
  return ops;
}

export const fillPath = (path: string, values: Record<string, string>) =>
  path.replace(/\{([a-z_]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? name));
