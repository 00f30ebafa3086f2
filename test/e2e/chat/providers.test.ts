/**
 * A question with personal data goes through each real provider protocol (fakes in this
 * process, API and workers spawned): the client sees it masked, the reply streams in order,
 * history holds both messages masked, and the provider saw none of the raw values. Then
 * failover and the circuit breaker, seen from the outside.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProviderEnv, startFakeAnthropic, startFakeOpenAI, startFakeYandex, type FakeProvider, type FakeSet } from '../../helpers/fake-providers/index.js';
import { registerUser } from '../../helpers/http.js';
import type { Spawned } from '../../helpers/spawn.js';
import { ask, cluster, following, messagesOf, newChat, storedReply, type Client } from './harness.js';

const QUESTION =
  'Меня зовут Иванов Иван Иванович, мой телефон +7 916 123-45-67, почта ivan.petrov@mail.ru, ИНН 7707083893, ' +
  'СНИЛС 112-233-445 95, карта 4276 3800 1234 5678. Работодатель уволил меня без предупреждения. Что делать?';
const RAW_VALUES = ['Иванов', 'Иван ', '+7 916', '123-45-67', '9161234567', 'ivan.petrov', 'mail.ru', '7707083893', '112-233-445', '11223344595', '4276 3800', '1234 5678'];
const ANSWER = 'Обжалуйте увольнение в суде в течение месяца (ст. 392 ТК РФ), приложите трудовой договор и приказ.';

const c = cluster('chatproviders');
let api: string;
let openai: FakeProvider;
let anthropic: FakeProvider;
let yandex: FakeProvider;
let workers: Spawned | undefined;
let apiProc: Spawned;

async function useWorkers(fakes: FakeSet, order: string[], extra: NodeJS.ProcessEnv = {}) {
  await workers?.stop('SIGKILL'); // idle by now: nothing in flight to lose
  workers = await c.startWorkers({ ...fakeProviderEnv(fakes, order), ...extra });
}

beforeAll(async () => {
  const step = { kind: 'text' as const, text: ANSWER, chunks: 6 };
  [openai, anthropic, yandex] = await Promise.all([startFakeOpenAI({ defaultStep: step }), startFakeAnthropic({ defaultStep: step }), startFakeYandex({ defaultStep: step })]);
  ({ url: api, proc: apiProc } = await c.startApi({ LOG_LEVEL: 'debug' }));
}, 60_000);

afterAll(async () => {
  await c.stopAll();
  await Promise.all([openai, anthropic, yandex].map((f) => f?.close()));
});

function expectOrderedStream(client: Client, replyId: string, provider: string) {
  const started = client.of('reply.started', replyId);
  expect(started).toHaveLength(1);
  expect(started[0]).toMatchObject({ provider, message_id: replyId });
  const deltas = client.of('reply.delta', replyId);
  expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
  const [completed] = client.of('reply.completed', replyId);
  expect(completed.message.content).toBe(deltas.map((d) => d.delta).join(''));
  return completed.message;
}

// One worker process routes openai -> anthropic -> yandex; a provider is reached by making
// the ones before it fail (500, no retries), so each answers once in its own wire protocol.
describe.each(['openai', 'anthropic', 'yandex'] as const)('a message with personal data through %s', (name) => {
  it('is masked for the client, the history and every provider', async () => {
    if (!workers) await useWorkers({ openai, anthropic, yandex }, ['openai', 'anthropic', 'yandex'], { AI_MAX_RETRIES: '0', AI_CIRCUIT_FAILURES: '100' });
    const fakes = { openai, anthropic, yandex };
    for (const f of Object.values(fakes)) f.reset();
    const before = (['openai', 'anthropic', 'yandex'] as const).slice(0, ['openai', 'anthropic', 'yandex'].indexOf(name));
    for (const p of before) fakes[p].script({ kind: 'error', status: 500 });
    const fake = fakes[name];
    const user = await registerUser(api, name);
    const chatId = await newChat(api, user.token);
    // following() asserts the join is acknowledged { ok: true }.
    await following(api, user.token, chatId, async (client) => {
      const { message, reply } = await ask(api, user.token, chatId, QUESTION);
      expect(message).toMatchObject({ status: 'pending', sender: 'user' });
      expect(message.content).toBeUndefined();
      expect(reply.status).toBe('queued');

      await client.first('reply.completed', reply.id);
      const [created] = client.of('message.created', message.id);
      expect(created.message.content).toContain('[PHONE_1]');
      for (const raw of RAW_VALUES) expect(created.message.content).not.toContain(raw);
      // Every follower of the chat learns of the reply too, queued, after its question and before it starts.
      const [replyCreated] = client.of('message.created', reply.id);
      expect(replyCreated.message).toMatchObject({ id: reply.id, sender: 'assistant', status: 'queued', reply_to: message.id });
      const ids = [message.id, reply.id];
      const order = client.events.map((e) => e.data as { message_id?: string; message?: { id: string } })
        .filter((d) => ids.includes(d.message_id ?? d.message?.id ?? ''));
      expect(order.indexOf(created)).toBeLessThan(order.indexOf(replyCreated));
      expect(order.indexOf(replyCreated)).toBeLessThan(order.indexOf(client.of('reply.started', reply.id)[0]));
      const answer = expectOrderedStream(client, reply.id, name);
      expect(answer).toMatchObject({ content: ANSWER, status: 'completed', meta: { provider: name, cached: false } });

      const items = await messagesOf(api, user.token, chatId);
      expect(items.map((m) => [m.sender, m.status])).toEqual([['user', 'completed'], ['assistant', 'completed']]);
      expect(items[0].content).toBe(created.message.content);
      expect(items[0].meta.pii.by_type).toMatchObject({ PHONE: 1, EMAIL: 1, INN: 1, SNILS: 1, CARD: 1 });
      expect(items[1].meta.usage.output_tokens).toBeGreaterThan(0);

      // Nor did the logs of either process (workers log at info, the API at debug).
      for (const raw of RAW_VALUES) expect(workers!.output() + apiProc.output()).not.toContain(raw);

      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]!.raw).toContain('[EMAIL_1]');
      for (const f of Object.values(fakes)) {
        for (const raw of RAW_VALUES) expect(f.requests.map((r) => r.raw).join('\n')).not.toContain(raw);
      }
    });
  }, 40_000);
});

describe('failover and the circuit breaker', () => {
  it('answers from the second provider when the first fails, and stops calling the first once its circuit opens', async () => {
    await useWorkers({ openai, anthropic }, ['openai', 'anthropic'], {
      AI_MAX_RETRIES: '0', AI_CIRCUIT_FAILURES: '2', AI_CIRCUIT_COOLDOWN_MS: '60000', AI_KEY_COOLDOWN_MS: '0',
    });
    openai.reset();
    anthropic.reset();
    openai.setDefault({ kind: 'error', status: 500 });
    openai.script({ kind: 'error', status: 429 });
    const user = await registerUser(api, 'failover');
    const chatId = await newChat(api, user.token);
    try {
      await following(api, user.token, chatId, async (client) => {
        const openaiCalls: number[] = [];
        for (const q of ['Первый вопрос о договоре аренды', 'Второй вопрос о наследстве', 'Третий вопрос об алиментах']) {
          const { reply } = await ask(api, user.token, chatId, q);
          const stored = await storedReply(api, user.token, chatId, reply.id);
          expect(stored.meta.provider).toBe('anthropic');
          expect(client.of('reply.started', reply.id)[0]?.provider).toBe('anthropic');
          openaiCalls.push(openai.calls);
        }
        // 429, then 500: the circuit opens after two failures; the third question skips openai.
        expect(openaiCalls).toEqual([1, 2, 2]);
        expect(anthropic.calls).toBe(3);
      });
    } finally {
      openai.setDefault({ kind: 'text', text: ANSWER, chunks: 6 });
    }
  }, 40_000);
});
