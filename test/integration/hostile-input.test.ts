/**
 * Hostile input at every route and socket event, built from the API's own OpenAPI document:
 * NUL characters, lone surrogates, broken percent-encodings, bodies that do not decode,
 * extreme numbers and dates, and very deep JSON. None may end in a 5xx, each must be
 * refused with a problem document, and none may write a row.
 */
import { CONSENT_DOCUMENT } from '../../core/privacy/consent-document.js';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { Model } from 'objection';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbFingerprint } from '../helpers/db-fingerprint.js';
import { filesUnder, upload } from '../helpers/documents.js';
import { settledDocument } from '../helpers/ingest.js';
import { registerUser, request, uniqueEmail, type Reply } from '../helpers/http.js';
import { fillPath, listOperations, type JsonSchema, type Operation } from '../helpers/operations.js';
import { setPlanLimits } from '../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

let rt: TestRuntime;
let ops: Operation[];
let userToken: string;
let erasedToken: string;
let adminToken: string;
let chatId: string;
let otherUserId: string;

const fingerprint = () => dbFingerprint(rt.t.schema);

beforeAll(async () => {
  rt = await startTestRuntime('hostile', { env: { LOGIN_MAX_FAILURES_PER_IP: '100000', LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000' } });
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  ops = await listOperations(rt.url);
  userToken = (await registerUser(rt.url, 'hostile')).token;
  erasedToken = (await registerUser(rt.url, 'erased')).token;
  otherUserId = (await registerUser(rt.url, 'other')).id;
  const admin = await registerUser(rt.url, 'admin');
  await Model.knex()('users').where({ id: admin.id }).update({ role: 'admin' });
  adminToken = admin.token;
  chatId = (await request(rt.url, 'POST', '/api/chats', { token: userToken, json: { title: 'Аренда' } })).body.id;
});
afterAll(() => rt?.close());

/** A plausible value per field name, so that only the hostile part can be what is refused. */
const SAMPLES: Record<string, () => unknown> = {
  email: () => uniqueEmail('hostile'),
  password: () => 'correct horse battery',
  name: () => 'Тест',
  title: () => 'Договор аренды',
  type: () => 'general',
  content: () => 'Можно ли расторгнуть договор аренды досрочно?',
  prompt: () => 'Что такое неустойка?',
  refresh_token: () => 'r'.repeat(43),
  role: () => 'user',
  status: () => 'active',
  max_tokens: () => 100,
};

function sampleBody(schema: JsonSchema): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, s]) => [name, SAMPLES[name]?.() ?? s.enum?.[0] ?? (s.type === 'integer' ? (s.minimum ?? 1) : 'text')]));
}

/** No such document: routes refuse the hostile part before looking it up. */
const someDocumentId = randomUUID();
// Ids that name nothing are fixed, so rawPathOf finds the value it replaces.
const NOBODY = randomUUID();
const paramValue: Record<string, () => string> = {
  chat_id: () => chatId, user_id: () => otherUserId, id: () => NOBODY, document_id: () => someDocumentId, code: () => 'gk', article: () => '450',
  message_id: () => NOBODY, review_id: () => NOBODY, request_id: () => NOBODY,
};
const pathOf = (op: Operation, override: Record<string, string> = {}) =>
  fillPath(op.path, Object.fromEntries(op.params.map((p) => [p, override[p] ?? paramValue[p]?.() ?? randomUUID()])));
/** fillPath percent-encodes; a raw override is put in as is. */
const rawPathOf = (op: Operation, param: string, raw: string) => pathOf(op).replace(encodeURIComponent(paramValue[param]?.() ?? ''), raw);
// A sample body confirms erasure with the real password: that route gets an account of its own.
const tokenFor = (op: Operation) =>
  op.roles?.includes('admin') ? adminToken : op.path === '/api/privacy/erasure' ? erasedToken : op.secured ? userToken : undefined;

function send(op: Operation, path: string, init: { raw?: string | Buffer | FormData; headers?: Record<string, string> } = {}): Promise<Reply> {
  return request(rt.url, op.method, path, { token: tokenFor(op), headers: init.headers, raw: init.raw });
}

/** The request must be refused with a 4xx problem document and leave the database as it was. */
async function expectRefused(what: string, attempt: () => Promise<Reply>): Promise<Reply> {
  const before = await fingerprint();
  const res = await attempt();
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
  expect(res.headers.get('content-type'), what).toContain('application/problem+json');
  expect(res.body, what).toMatchObject({ status: res.status, code: expect.any(String) });
  expect(await fingerprint(), `${what} wrote to the database`).toBe(before);
  return res;
}

const json = { 'content-type': 'application/json' };
const HOSTILE_STRINGS = ['a\u0000b', '\u0000', 'x\ud800', '\udc00y', 'текст \ud83d', `${'я'.repeat(10)}\u0000`];
const EXTREME_NUMBERS = ['1e308', '-1e308', '1e400', '9007199254740993', '1.5', '-0.0', 'true', 'null', '[]', '{}'];
const HOSTILE_QUERY = ['%00', 'a%00b', '%ED%A0%80', '%FF%FE', '1e308', '-1', '99999999999999999999', 'NaN', 'Infinity', '0x10', '%'];
const HOSTILE_PATH = ['%00', 'a%00', '%FF', '%E0%A4%A', '..%2F..', '00000000-0000-0000-0000-000000000000%00'];
const withBody = () => ops.filter((op) => op.body);

describe('hostile input over HTTP', () => {
  it('refuses NUL characters and lone surrogates in every body field', async () => {
    let checked = 0;
    for (const op of withBody()) {
      for (const field of Object.keys(op.body!.properties ?? {})) {
        for (const bad of HOSTILE_STRINGS) {
          const body = JSON.stringify({ ...sampleBody(op.body!), [field]: bad });
          await expectRefused(`${op.key} ${field}=${JSON.stringify(bad)}`, () => send(op, pathOf(op), { raw: body, headers: json }));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('refuses a NUL in a new chat title, a message and a one-off prompt with a clear 422 (nothing queued)', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['/api/chats', 'title', { title: 'Аренда\u0000' }],
      [`/api/chats/${chatId}/messages`, 'content', { content: 'Вопрос\u0000 о договоре' }],
      ['/api/ai/complete', 'prompt', { prompt: 'Вопрос\u0000' }],
      ['/api/auth/register', 'name', { email: uniqueEmail('nul'), password: 'correct horse battery', name: 'Иван\u0000', consent_version: CONSENT_DOCUMENT.version }],
    ];
    for (const [path, field, body] of cases) {
      const op = ops.find((o) => o.method === 'POST' && fillPath(o.path, { chat_id: chatId }) === path)!;
      const res = await expectRefused(`POST ${path}`, () => send(op, path, { raw: JSON.stringify(body), headers: json }));
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ path: `body.${field}`, message: 'must not contain a NUL character' }]);
    }
  });

  it('refuses extreme numbers and wrong types in every body field', async () => {
    for (const op of withBody()) {
      for (const [field, schema] of Object.entries(op.body!.properties ?? {})) {
        // An empty list is a fine value for a list field (e.g. document_ids), and true for a flag.
        for (const bad of EXTREME_NUMBERS.filter((v) => !(v === '[]' && schema.type === 'array') && !(v === 'true' && schema.type === 'boolean'))) {
          const base = JSON.stringify({ ...sampleBody(op.body!), [field]: '__X__' }).replace('"__X__"', bad);
          // A number where a string is expected, or a string where a number is: either way refused.
          await expectRefused(`${op.key} ${field}=${bad}`, () => send(op, pathOf(op), { raw: base, headers: json }));
        }
      }
    }
  });

  it('refuses very deep JSON', async () => {
    const deepObject = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const op of withBody()) {
      for (const [name, raw] of [['deep object', deepObject], ['deep array', deepArray]]) {
        await expectRefused(`${op.key} ${name}`, () => send(op, pathOf(op), { raw, headers: json }));
      }
      const field = Object.keys(op.body!.properties ?? {})[0]!;
      const nested = JSON.stringify({ ...sampleBody(op.body!), [field]: JSON.parse(`${'['.repeat(40)}1${']'.repeat(40)}`) });
      await expectRefused(`${op.key} nested field`, () => send(op, pathOf(op), { raw: nested, headers: json }));
    }
  });

  it('refuses bodies that do not decode: broken gzip and deflate, unknown encodings and charsets, invalid UTF-8', async () => {
    for (const op of withBody()) {
      const valid = JSON.stringify(sampleBody(op.body!));
      const truncatedGzip = gzipSync(valid).subarray(0, 12);
      const cases: Array<[string, Buffer | string, Record<string, string>]> = [
        ['garbage gzip', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }],
        ['truncated gzip', truncatedGzip, { 'content-encoding': 'gzip' }],
        ['garbage deflate', Buffer.from([0x78, 0x9c, 0xff, 0x00, 0x13]), { 'content-encoding': 'deflate' }],
        ['unknown encoding', Buffer.from(valid), { 'content-encoding': 'x-unknown' }],
        ['utf-16 charset', Buffer.from(valid, 'utf16le'), { 'content-type': 'application/json; charset=utf-16' }],
        ['invalid UTF-8 outside strings', Buffer.concat([Buffer.from('{'), Buffer.from([0xff, 0xfe]), Buffer.from('}')]), {}],
        ['a NUL inside a valid gzip body', gzipSync(JSON.stringify({ ...sampleBody(op.body!), [Object.keys(op.body!.properties ?? {})[0]!]: 'x\u0000' })), { 'content-encoding': 'gzip' }],
        ['deep JSON inside valid deflate', deflateSync(`${'['.repeat(50_000)}${']'.repeat(50_000)}`), { 'content-encoding': 'deflate' }],
      ];
      for (const [name, raw, headers] of cases) {
        await expectRefused(`${op.key} ${name}`, () => send(op, pathOf(op), { raw, headers: { ...json, ...headers } }));
      }
    }
  });

  it('refuses hostile multipart bodies on every upload route, leaving no object behind', async () => {
    const uploads = ops.filter((op) => op.multipart);
    expect(uploads.length).toBeGreaterThanOrEqual(2);
    const docId = (await upload(rt.url, '/api/documents', userToken, { name: 'a.txt', data: Buffer.from('Договор\n') })).body.document.id;
    await settledDocument(rt.url, userToken, docId); // its ingestion must not write while refusals are fingerprinted
    const objectsBefore = filesUnder(path.join(rt.t.dataDir, 'files'));
    const part = (name: string, value: string, filename?: string) =>
      `--B\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n\r\n${value}\r\n`;
    const file = part('file', 'Текст договора', 'a.txt');
    const cases: Array<[string, string, string]> = [
      ['NUL in the file name', `${part('file', 'Текст', 'a\u0000.txt')}--B--\r\n`, 'multipart/form-data; boundary=B'],
      ['control character in the file name', `${part('file', 'Текст', 'a\u0007.txt')}--B--\r\n`, 'multipart/form-data; boundary=B'],
      ['no file part', `${part('title', 'Договор')}--B--\r\n`, 'multipart/form-data; boundary=B'],
      ['a file part without a file name', `${part('file', 'Текст')}--B--\r\n`, 'multipart/form-data; boundary=B'],
      ['two files', `${file}${file}--B--\r\n`, 'multipart/form-data; boundary=B'],
      ['an unknown part', `${part('owner', 'x')}${file}--B--\r\n`, 'multipart/form-data; boundary=B'],
      ['truncated body', file, 'multipart/form-data; boundary=B'],
      ['no boundary', `${file}--B--\r\n`, 'multipart/form-data'],
      ['JSON instead of multipart', '{"title":"x"}', 'application/json'],
      ['an empty file', `${part('file', '', 'a.txt')}--B--\r\n`, 'multipart/form-data; boundary=B'],
    ];
    const creating: Array<[string, string]> = [
      ['NUL in the title', `${part('title', 'До\u0000говор')}${file}--B--\r\n`],
      ['a title over 200 characters', `${part('title', '\u{fffd}'.repeat(201))}${file}--B--\r\n`],
      ['an unknown kind', `${part('kind', 'will')}${file}--B--\r\n`],
      ['a chat id that is not a uuid', `${part('chat_id', 'x')}${file}--B--\r\n`],
      ["another user's or no chat", `${part('chat_id', randomUUID())}${file}--B--\r\n`],
    ];
    for (const op of uploads) {
      const target = pathOf(op, { document_id: docId });
      for (const [name, raw, type] of cases) {
        await expectRefused(`${op.key} ${name}`, () => send(op, target, { raw: Buffer.from(raw), headers: { 'content-type': type } }));
      }
    }
    const create = uploads.find((op) => op.path === '/api/documents')!;
    for (const [name, raw] of creating) {
      await expectRefused(`${create.key} ${name}`, () => send(create, create.path, { raw: Buffer.from(raw), headers: { 'content-type': 'multipart/form-data; boundary=B' } }));
    }
    expect(filesUnder(path.join(rt.t.dataDir, 'files'))).toEqual(objectsBefore);
  });

  it('refuses hostile query values and path values on every route', async () => {
    for (const op of ops) {
      for (const { name } of op.query) {
        for (const bad of HOSTILE_QUERY) {
          const res = await send(op, `${pathOf(op)}?${name}=${bad}`);
          expect(res.status, `${op.key} ?${name}=${bad}`).toBeLessThan(500);
          if (bad.includes('%00')) await expectRefused(`${op.key} ?${name}=${bad}`, async () => res);
        }
      }
      for (const param of op.params) {
        for (const bad of HOSTILE_PATH) {
          await expectRefused(`${op.key} {${param}}=${bad}`, () => send(op, rawPathOf(op, param, bad), op.body ? { raw: JSON.stringify(sampleBody(op.body)), headers: json } : {}));
        }
      }
    }
  });

  it('refuses cursors whose time PostgreSQL cannot hold, and pages with ones it can', async () => {
    const cursor = (t: string) => Buffer.from(JSON.stringify({ t, id: randomUUID() })).toString('base64url');
    const lists = ops.filter((op) => op.method === 'GET' && op.query.some((q) => q.name === 'cursor'));
    expect(lists.length).toBeGreaterThanOrEqual(4);
    for (const op of lists) {
      for (const t of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+23:59', '9999-12-31T23:59:59-23:59', '0000-06-15T12:00:00.000+00:00']) {
        const res = await expectRefused(`${op.key} cursor ${t}`, () => send(op, `${pathOf(op)}?cursor=${cursor(t)}`));
        expect(res.status).toBe(400);
      }
      // Odd but real: an offset PostgreSQL would refuse, normalised to UTC.
      const ok = await send(op, `${pathOf(op)}?cursor=${cursor('2030-01-01T00:00:00+23:59')}`);
      expect(ok.status, `${op.key} ${JSON.stringify(ok.body)}`).toBe(200);
    }
  });

  it("answers what Node's HTTP parser refuses with a problem document: headers past 16 KB, a malformed request", async () => {
    const raw = (text: string) => new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(rt.url);
      const socket = net.connect(Number(port), hostname, () => socket.end(text));
      const parts: Buffer[] = [];
      socket.on('data', (b) => parts.push(b)).on('end', () => resolve(Buffer.concat(parts).toString('utf8'))).on('error', reject);
    });
    const answerOf = (reply: string) => {
      const [head, body] = reply.split('\r\n\r\n');
      return { status: Number(head!.split(' ')[1]), type: /content-type: (.*)/i.exec(head!)?.[1], body: JSON.parse(body!) };
    };
    const big = await fetch(`${rt.url}/api/law/gk/450?x=${'a'.repeat(20_000)}`);
    expect([big.status, big.headers.get('content-type'), ((await big.json()) as { code: string }).code]).toEqual([431, 'application/problem+json', 'headers_too_large']);
    expect(answerOf(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`))).toMatchObject({ status: 431, type: 'application/problem+json', body: { status: 431, code: 'headers_too_large' } });
    expect(answerOf(await raw('NOT HTTP AT ALL\r\n\r\n'))).toMatchObject({ status: 400, type: 'application/problem+json', body: { status: 400, code: 'bad_request' } });
    // The server goes on serving.
    expect((await fetch(`${rt.url}/healthz`)).status).toBe(200);
  });

  it('marks every API answer as not to be stored by browsers or proxies', async () => {
    for (const op of ops) {
      const res = await send(op, pathOf(op), op.body ? { raw: JSON.stringify(sampleBody(op.body)), headers: json } : {});
      expect(res.headers.get('cache-control'), op.key).toBe('no-store');
    }
  });
});

describe('hostile input over Socket.IO', () => {
  it('refuses hostile event payloads and hostile tokens, and the socket still serves afterwards', async () => {
    const before = await fingerprint();
    const bad = await new Promise<string>((resolve) => {
      const s = io(rt.url, { path: '/ws', transports: ['websocket'], auth: { token: `${userToken}\u0000` }, reconnection: false });
      s.on('connect', () => resolve('connected'));
      s.on('connect_error', (err) => resolve(err.message));
    });
    expect(bad).toBe('unauthorized');

    const socket = io(rt.url, { path: '/ws', transports: ['websocket'], auth: { token: userToken }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => resolve());
      socket.on('connect_error', reject);
    });
    const deep = JSON.parse(`${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`);
    const payloads: unknown[] = [
      { chat_id: '\u0000' }, { chat_id: `${chatId}\u0000` }, { chat_id: 'x\ud800' }, { chat_id: chatId, after_seq: 1e308 },
      { chat_id: chatId, after_seq: -1 }, { chat_id: chatId, after_seq: 1.5 }, { chat_id: chatId, attempt: 2 ** 53 + 2 },
      { chat_id: chatId, after_seq: '0' }, deep, 'text', 12, null, [], [chatId], { chat_id: { $ne: null } },
    ];
    for (const event of ['chat:join', 'chat:leave']) {
      for (const payload of payloads) {
        const ack = await socket.timeout(5000).emitWithAck(event, payload);
        expect(ack, `${event} ${JSON.stringify(payload)?.slice(0, 80)}`).toEqual({ ok: false, error: { code: 'validation_failed' } });
      }
    }
    expect(await socket.timeout(5000).emitWithAck('chat:join', { chat_id: chatId })).toEqual({ ok: true });
    socket.disconnect();
    expect(await fingerprint()).toBe(before);
  });
});
