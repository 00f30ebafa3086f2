/**
 * The law library loaded at first start, search over it and over the caller's documents, and
 * chat answers that cite only the passages the model was given, with verbatim quotes.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, storedReply, waitFor } from '../../e2e/chat/harness.js';
import { upload } from '../../helpers/documents.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const CONTRACT = [
  'ДОГОВОР АРЕНДЫ НЕЖИЛОГО ПОМЕЩЕНИЯ',
  '1. Предмет договора',
  '1.1. Арендодатель передаёт Арендатору во временное пользование помещение площадью 40 кв. м.',
  '5. Порядок расторжения договора',
  '5.1. Договор может быть расторгнут досрочно по соглашению сторон либо в одностороннем порядке с предупреждением другой стороны не позднее чем за тридцать календарных дней.',
  '6. Ответственность сторон',
  '6.1. За просрочку внесения арендной платы Арендатор уплачивает пеню в размере 0,1 % от суммы долга за каждый день просрочки.',
].join('\n');

let openai: FakeProvider;
let rt: TestRuntime;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: 'Ответ.' } });
  // The default a user gets: the library is imported by a job at first start.
  rt = await startTestRuntime('lawrag', { env: { ...fakeProviderEnv({ openai }), LAW_AUTOIMPORT: 'true' } });
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await openai?.close();
});

async function library(token: string) {
  return waitFor('the law library to be imported', async () => {
    const res = await request(rt.url, 'GET', '/api/law', { token });
    return res.body.items?.length === 11 ? res.body.items : undefined;
  }, 60_000);
}

async function searchFor(token: string, body: object) {
  const res = await request(rt.url, 'POST', '/api/ai/search', { token, json: body });
  return res;
}

describe('the law library', () => {
  it('is imported at first start: every code with its edition date, and articles by number', async () => {
    const user = await registerUser(rt.url, 'reader');
    const codes = await library(user.token);
    expect(codes.map((c: any) => c.code)).toEqual(['konst', 'gk', 'tk', 'zhk', 'sk', 'gpk', 'apk', 'kas', 'uk', 'zk', 'nk']);
    for (const c of codes) {
      expect(c.edition_date).toMatch(/^20\d\d-\d\d-\d\d$/);
      expect(c.articles).toBeGreaterThan(100);
    }
    const art = await request(rt.url, 'GET', '/api/law/gk/450', { token: user.token });
    expect(art.status).toBe(200);
    expect(art.body).toMatchObject({ code: 'gk', article: '450', title: 'Статья 450. Основания изменения и расторжения договора' });
    expect(art.body.text).toContain('Изменение и расторжение договора возможны по соглашению сторон');
    expect(art.body.text).not.toMatch(/<|&nbsp;|В редакции/);
    expect((await request(rt.url, 'GET', '/api/law/gk/8.1', { token: user.token })).body.title).toBe('Статья 8.1. Государственная регистрация прав на имущество');
    expect((await request(rt.url, 'GET', '/api/law/gk/9999', { token: user.token })).status).toBe(404);
    const bad = await request(rt.url, 'GET', '/api/law/gk/450;drop', { token: user.token });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
  }, 90_000);

  it('finds the article for a question in plain Russian', async () => {
    const user = await registerUser(rt.url, 'asker');
    await library(user.token);
    const res = await searchFor(user.token, { query: 'Какой общий срок исковой давности?', scope: 'law', limit: 5 });
    expect(res.status).toBe(200);
    const found = res.body.items.map((i: any) => `${i.source.code} ${i.source.article}`);
    expect(found).toContain('gk 196');
    const scores = res.body.items.map((i: any) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  }, 90_000);
});

describe('search over documents', () => {
  it('finds a contract clause from an inflected query, for its owner only', async () => {
    const owner = await registerUser(rt.url, 'owner');
    const other = await registerUser(rt.url, 'other');
    const up = await upload(rt.url, '/api/documents', owner.token, { name: 'договор.txt', data: Buffer.from(CONTRACT), type: 'text/plain' });
    expect(up.status).toBe(202);
    expect((await settledDocument(rt.url, owner.token, up.body.document.id)).status).toBe('ready');

    // «расторжения» in the query, «расторгнут» in the clause: a different Snowball stem.
    const mine = await searchFor(owner.token, { query: 'условия расторжения', scope: 'documents' });
    expect(mine.status).toBe(200);
    const top = mine.body.items[0];
    expect(top.source).toMatchObject({ type: 'document', id: up.body.document.id, version: 1 });
    expect(top.text).toContain('5.1. Договор может быть расторгнут досрочно');
    expect(top.locator).toMatchObject({ clause: expect.stringMatching(/^5/) });

    const theirs = await searchFor(other.token, { query: 'условия расторжения', scope: 'documents' });
    expect(theirs.body.items).toEqual([]);
    const foreign = await searchFor(other.token, { query: 'расторжение', document_ids: [up.body.document.id] });
    expect(foreign.status).toBe(404);
    expect((await searchFor(owner.token, { query: '', scope: 'law' })).status).toBe(422);
    expect((await searchFor(owner.token, { query: 'аренда', limit: 51 })).status).toBe(422);
  }, 60_000);
});

describe('answers with citations', () => {
  it('cites only passages the model was given, each quote verbatim from its chunk', async () => {
    const user = await registerUser(rt.url, 'citer');
    await library(user.token);
    const up = await upload(rt.url, '/api/documents', user.token, { name: 'аренда.txt', data: Buffer.from(CONTRACT), type: 'text/plain' });
    await settledDocument(rt.url, user.token, up.body.document.id);
    const chat = await request(rt.url, 'POST', '/api/chats', { token: user.token, json: { title: 'Аренда', document_ids: [up.body.document.id] } });
    expect(chat.status).toBe(201);

    // The model cites [1] with a quote it made up, and [9], which it was never given.
    openai.script({ kind: 'text', text: 'Договор можно расторгнуть «по щелчку пальцев» [1]. См. также [9].' });
    const before = openai.requests.length;
    const { reply } = await ask(rt.url, user.token, chat.body.id, 'Как расторгнуть договор аренды досрочно?');
    const stored = await storedReply(rt.url, user.token, chat.body.id, reply.id);
    expect(stored.status).toBe('completed');

    const sent = openai.requests.slice(before).map((r) => JSON.stringify(r.body)).join('\n');
    const citations = stored.meta.citations;
    expect(citations.map((c: any) => c.n)).toEqual([1]);
    expect(stored.content).toContain('[1]');
    expect(stored.content).not.toContain('[9]');
    const [c] = citations;
    const search = await searchFor(user.token, { query: 'Как расторгнуть договор аренды досрочно?', document_ids: [up.body.document.id], limit: 6 });
    const chunk = search.body.items.find((i: any) => i.chunk_id === c.chunk_id);
    expect(chunk).toBeDefined();
    expect(chunk.text).toContain(c.quote);
    expect(c.quote).not.toContain('щелчку');
    // The passage was in what the provider received.
    expect(sent).toContain(JSON.stringify(chunk.text.slice(0, 60)).slice(1, -1));
  }, 90_000);

  it('links a question\'s documents only when the question is taken: an archived chat gets none', async () => {
    const user = await registerUser(rt.url, 'archivedlink');
    const up = await upload(rt.url, '/api/documents', user.token, { name: 'b.txt', data: Buffer.from(CONTRACT), type: 'text/plain' });
    const chat = await request(rt.url, 'POST', '/api/chats', { token: user.token, json: { title: 'Архив' } });
    expect((await request(rt.url, 'DELETE', `/api/chats/${chat.body.id}`, { token: user.token })).status).toBe(204);
    const res = await request(rt.url, 'POST', `/api/chats/${chat.body.id}/messages`, { token: user.token, json: { content: 'Вопрос', document_ids: [up.body.document.id] } });
    expect([res.status, res.body.code]).toEqual([409, 'conflict']);
    expect(await Model.knex()('chat_documents').where({ chat_id: chat.body.id })).toEqual([]);
  });

  it('rejects another user\'s document in a chat, and links nothing', async () => {
    const owner = await registerUser(rt.url, 'docowner');
    const intruder = await registerUser(rt.url, 'intruder');
    const up = await upload(rt.url, '/api/documents', owner.token, { name: 'a.txt', data: Buffer.from(CONTRACT), type: 'text/plain' });
    const res = await request(rt.url, 'POST', '/api/chats', { token: intruder.token, json: { document_ids: [up.body.document.id] } });
    expect(res.status).toBe(404);
    const chats = await request(rt.url, 'GET', '/api/chats', { token: intruder.token });
    expect(chats.body.items).toEqual([]);
  });
});
