/**
 * Embeddings through the real wire protocols: OpenAI through its SDK (batched, 256
 * dimensions), Yandex one text per call with the doc or query model, the circuit breaker
 * shared with completions, timeouts, and the configuration that picks the provider.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmbedder, EmbeddingError, type Embedder } from '../../../core/ai/embeddings.js';
import { ConfigError, loadConfig } from '../../../core/config.js';
import { createLogger } from '../../../core/log.js';
import { fakeEmbedding, startFakeOpenAI, startFakeYandex, type FakeProvider } from '../../helpers/fake-providers/index.js';

const log = createLogger('silent');
const texts = (n: number) => Array.from({ length: n }, (_, i) => `Статья ${i + 1}. Арендатор [PERSON_1] вносит плату ежемесячно.`);

let openai: FakeProvider;
let yandex: FakeProvider;

beforeAll(async () => {
  [openai, yandex] = await Promise.all([startFakeOpenAI(), startFakeYandex()]);
});
afterAll(() => Promise.all([openai.close(), yandex.close()]));
beforeEach(() => {
  openai.reset();
  yandex.reset();
});

function embedder(provider: 'openai' | 'yandex', extra: NodeJS.ProcessEnv = {}): Embedder {
  const config = loadConfig({
    EMBEDDINGS_PROVIDER: provider,
    OPENAI_API_KEY: 'sk-emb',
    OPENAI_BASE_URL: openai.url,
    YANDEX_API_KEY: 'ya-emb',
    YANDEX_FOLDER_ID: 'b1gfolder',
    YANDEX_BASE_URL: yandex.url,
    AI_CIRCUIT_FAILURES: '2',
    ...extra,
  });
  const made = createEmbedder(config, log);
  if (!made) throw new Error('no embedder');
  return made;
}

const expectNear = (got: number[] | undefined, want: number[]) => {
  expect(got).toHaveLength(256);
  got!.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
};

describe('configuration', () => {
  it('defaults to no embeddings (full text only)', () => {
    expect(loadConfig({}).embeddings.provider).toBe('none');
    expect(createEmbedder(loadConfig({}), log)).toBeUndefined();
  });

  it.each([
    [{ EMBEDDINGS_PROVIDER: 'word2vec' }, 'EMBEDDINGS_PROVIDER'],
    [{ EMBEDDINGS_PROVIDER: 'openai' }, 'EMBEDDINGS_PROVIDER: openai needs OPENAI_API_KEY'],
    [{ EMBEDDINGS_PROVIDER: 'yandex' }, 'EMBEDDINGS_PROVIDER: yandex needs YANDEX_API_KEY'],
  ])('names the bad variable in %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('OpenAI embeddings through the SDK', () => {
  it('sends bounded batches of text-embedding-3-small at 256 dimensions and keeps the order', async () => {
    const input = texts(150);
    const vectors = await embedder('openai').embed(input, 'doc');
    expect(vectors).toHaveLength(150);
    vectors.forEach((v, i) => expectNear(v, fakeEmbedding(input[i]!)));
    const bodies = openai.requests.map((r) => r.body as { model: string; dimensions: number; input: string[] });
    expect(openai.requests.every((r) => r.path === '/v1/embeddings' && r.apiKey === 'sk-emb')).toBe(true);
    expect(bodies.map((b) => b.input.length)).toEqual([64, 64, 22]);
    expect(bodies.flatMap((b) => b.input).sort()).toEqual([...input].sort());
    expect(bodies.every((b) => b.model === 'text-embedding-3-small' && b.dimensions === 256)).toBe(true);
  });

  it('opens the circuit after the configured failures and stops calling the provider', async () => {
    const e = embedder('openai');
    openai.script({ kind: 'error', status: 500 }, { kind: 'error', status: 503 });
    await expect(e.embed(['один'], 'query')).rejects.toMatchObject({ code: 'upstream_error', retryable: true });
    await expect(e.embed(['два'], 'query')).rejects.toBeInstanceOf(EmbeddingError);
    expect(e.circuit).toBe('open');
    await expect(e.embed(['три'], 'query')).rejects.toMatchObject({ code: 'circuit_open' });
    expect(openai.calls).toBe(2);
  });

  it('does not count a refused request against the provider', async () => {
    const e = embedder('openai');
    openai.script({ kind: 'error', status: 400 }, { kind: 'error', status: 400 }, { kind: 'error', status: 400 });
    for (let i = 0; i < 3; i++) await expect(e.embed(['x'], 'doc')).rejects.toMatchObject({ code: 'bad_request', retryable: false });
    expect(e.circuit).toBe('closed');
  });

  it('gives up on a provider that does not answer within the timeout', async () => {
    const e = embedder('openai', { AI_TIMEOUT_MS: '200' });
    openai.script({ kind: 'hang' });
    await expect(e.embed(['x'], 'doc')).rejects.toMatchObject({ code: 'timeout', retryable: true });
  });
});

describe('Yandex embeddings', () => {
  it('embeds one text per call with text-search-doc for passages and text-search-query for questions', async () => {
    const e = embedder('yandex');
    const input = texts(5);
    const docs = await e.embed(input, 'doc');
    docs.forEach((v, i) => expectNear(v, fakeEmbedding(input[i]!)));
    const [query] = await e.embed(['расторжение договора аренды'], 'query');
    expectNear(query, fakeEmbedding('расторжение договора аренды'));

    const bodies = yandex.requests.map((r) => r.body as { modelUri: string; text: string });
    expect(yandex.requests.every((r) => r.path === '/foundationModels/v1/textEmbedding' && r.apiKey === 'ya-emb')).toBe(true);
    expect(yandex.requests.every((r) => r.headers['x-folder-id'] === 'b1gfolder' && r.headers['x-data-logging-enabled'] === 'false')).toBe(true);
    expect(bodies.slice(0, 5).map((b) => b.modelUri)).toEqual(Array(5).fill('emb://b1gfolder/text-search-doc/latest'));
    expect(bodies.slice(0, 5).map((b) => b.text).sort()).toEqual([...input].sort());
    expect(bodies[5]).toEqual({ modelUri: 'emb://b1gfolder/text-search-query/latest', text: 'расторжение договора аренды' });
  });

  it('maps errors and opens the circuit like completions do', async () => {
    // No cool-down: the one key stays usable after its 429.
    const e = embedder('yandex', { AI_KEY_COOLDOWN_MS: '0' });
    yandex.script({ kind: 'error', status: 429 }, { kind: 'error', status: 500 });
    await expect(e.embed(['a'], 'doc')).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(e.embed(['b'], 'doc')).rejects.toMatchObject({ code: 'upstream_error' });
    await expect(e.embed(['c'], 'doc')).rejects.toMatchObject({ code: 'circuit_open' });
    expect(yandex.calls).toBe(2);
  });
});
