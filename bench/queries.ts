/**
 * Database statements per chat message, counted: one in-process service (API and workers on
 * one knex instance) with an instant fake provider and the law library imported (as `npm
 * start` has it); messages are sent one at a time and every statement knex runs between the
 * POST and `reply.completed` is counted.
 */
import { Model } from 'objection';
import { importLaws } from '../core/law/library.js';
import { fakeProviderEnv, startFakeOpenAI } from '../test/helpers/fake-providers/index.js';
import { registerUser } from '../test/helpers/http.js';
import { setPlanLimits } from '../test/helpers/plans.js';
import { startTestRuntime } from '../test/helpers/runtime.js';
import { ask, connect, newChat } from '../test/e2e/chat/harness.js';

const MESSAGES = Number(process.env.BENCH_QUERY_MESSAGES ?? 20);

export async function runQueryCount(): Promise<{ messages: number; queries_per_message: number; by_statement: Record<string, number> }> {
  const fake = await startFakeOpenAI({ defaultStep: { kind: 'text', text: 'Короткий ответ.', chunks: 3 } });
  const rt = await startTestRuntime('benchqueries', { env: { ...fakeProviderEnv({ openai: fake }), AI_CACHE_TTL_SECONDS: '0' } });
  await setPlanLimits('free', { messages_per_day: 100_000 });
  await importLaws(Model.knex());
  try {
    const user = await registerUser(rt.url, 'queries');
    const chat = await newChat(rt.url, user.token);
    // Replies are awaited on the socket (the user's room), so no polling adds statements.
    const client = await connect(rt.url, user.token);
    await client.first('reply.completed', (await ask(rt.url, user.token, chat, 'Разогрев')).reply.id);
    const byStatement: Record<string, number> = {};
    let total = 0;
    const count = (q: { sql: string }) => {
      const kind = /^\s*(\w+)/.exec(q.sql)?.[1]?.toUpperCase() ?? 'OTHER';
      byStatement[kind] = (byStatement[kind] ?? 0) + 1;
      total++;
    };
    Model.knex().on('query', count);
    for (let i = 0; i < MESSAGES; i++) {
      const { reply } = await ask(rt.url, user.token, chat, `Вопрос номер ${i + 1} о трудовом договоре`);
      await client.first('reply.completed', reply.id);
    }
    Model.knex().off('query', count);
    client.close();
    const perMessage = (n: number) => Math.round((n / MESSAGES) * 10) / 10;
    return {
      messages: MESSAGES,
      queries_per_message: perMessage(total),
      by_statement: Object.fromEntries(Object.entries(byStatement).map(([k, v]) => [k, perMessage(v)])),
    };
  } finally {
    await rt.close();
    await fake.close();
  }
}
