/**
 * Asking a question in a chat: admits it under fair use and writes the question (pending until
 * masked) and its reply (queued) in one statement, links the documents it names to the chat,
 * then hands the raw text, sealed, to the reply pipeline. If the hand-over fails, both rows are failed so nothing waits for
 * a job that does not exist, the day's message is given back, and the caller is told the
 * service is unavailable.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/knex.js';
import type { Message } from '../db/models/index.js';
import { DomainError, domainErrors } from '../errors.js';
import type { Logger } from '../log.js';
import { linkChatDocuments } from './chats.js';
import { admitQuestion, dayOf, giveBackMessage, type FairUseLimits } from './fair-use.js';
import type { Sealer } from './seal.js';
import { chatMessages } from '../telemetry/metrics.js';

export interface ReplyHandOver {
  messageId: string;
  replyId: string;
  chatId: string;
  userId: string;
  sealed: string;
}

export interface AskDeps {
  db: Db;
  sealer: Sealer;
  limits: FairUseLimits;
  /** Enqueues the reply flow; job ids derive from the message ids, so a repeat adds nothing. */
  enqueueReply(handOver: ReplyHandOver): Promise<void>;
  log: Logger;
}

export async function askQuestion(deps: AskDeps, userId: string, chatId: string, content: string, documentIds: string[] = []): Promise<{ message: Message; reply: Message }> {
  // Both ids are chosen here so that the admission writes both rows in its one statement.
  const turn = { questionId: randomUUID(), replyId: randomUUID(), at: new Date() };
  const { message, reply, ownerSecret } = await admitQuestion(deps.db, userId, chatId, deps.limits, turn);
  try {
    // Linked once the question is taken (a refused one links nothing), before its reply reads them.
    await linkChatDocuments(deps.db, userId, chatId, documentIds);
    await deps.enqueueReply({ messageId: message.id, replyId: reply.id, chatId, userId, sealed: deps.sealer.seal(content, message.id, ownerSecret) });
  } catch (err) {
    // A document gone since the route checked it is the caller's 404; anything else is ours.
    const refusal = err instanceof DomainError ? err : undefined;
    if (!refusal) deps.log.error({ err: (err as Error).message }, 'could not hand a chat reply over');
    const error = refusal ? { code: refusal.code, detail: refusal.message } : { code: 'unavailable', detail: 'the reply could not be queued; try again' };
    // Never answered: the day's message is given back with the rows failed, so a retry costs nothing more.
    await deps.db.transaction(async (trx) => {
      await trx('messages').where({ id: message.id }).update({ status: 'failed', updated_at: trx.fn.now() });
      await trx('messages').where({ id: reply.id }).update({ status: 'failed', meta: JSON.stringify({ error }), updated_at: trx.fn.now() });
      await giveBackMessage(trx, userId, dayOf(turn.at));
    });
    throw refusal ?? domainErrors.unavailable(error.detail);
  }
  chatMessages.inc({ kind: 'chat' });
  return { message, reply };
}
