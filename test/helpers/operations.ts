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
  /** Query parameters with their JSON Schemas. */
  query: Array<{ name: string; schema: JsonSchema }>;
  body?: JsonSchema;
  /** The multipart/form-data body of an upload route. */
  multipart?: JsonSchema;
}

export interface JsonSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
}

export async function listOperations(base: string): Promise<Operation[]> {
  const doc = (await request(base, 'GET', '/api/openapi.json')).body as {
    paths: Record<string, Record<string, {
      security: unknown[];
      'x-roles'?: string[];
      parameters: Array<{ name: string; in: string; schema: JsonSchema }>;
      requestBody?: { content: { 'application/json'?: { schema: JsonSchema }; 'multipart/form-data'?: { schema: JsonSchema } } };
    }>>;
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
        query: op.parameters.filter((p) => p.in === 'query').map(({ name, schema }) => ({ name, schema })),
        body: op.requestBody?.content['application/json']?.schema,
        multipart: op.requestBody?.content['multipart/form-data']?.schema,
      });
    }
  }
  return ops;
}

export const fillPath = (path: string, values: Record<string, string>) =>
  path.replace(/\{([a-z_]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? name));
