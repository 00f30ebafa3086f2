/**
 * Plans, subscriptions, payments and the providers' webhooks. The edge validates and
 * answers; core/billing/ decides; webhooks are stored and acknowledged here and applied by a
 * `billing` job.
 */
import { z } from 'zod';
import { queueApplyEvent } from '../../core/billing/apply-jobs.js';
import { listPlans, toPublicPlan, updatePlan, LIMIT_KEYS } from '../../core/billing/plans.js';
import { PAYMENT_PROVIDERS } from '../../core/billing/provider.js';
import { cancelAtPeriodEnd, subscribe, type createProviders } from '../../core/billing/subscribe.js';
import { subscriptionOf, toPublicPayment } from '../../core/billing/view.js';
import { checkYooKassaSource, receiveStripe, receiveYooKassa, type YooKassaNotification } from '../../core/billing/webhooks.js';
import type { Db } from '../../core/db/knex.js';
import type { ReadRouting } from '../../core/db/read-routing.js';
import { DomainError, domainErrors } from '../../core/errors.js';
import type { Queues } from '../../pipelines/queues.js';
import { decodeCursor, keysetPage } from '../cursor.js';
import { IDEMPOTENCY_HEADER, type Idempotent } from '../idempotency.js';
import { problems } from '../problem.js';
import { paymentWebhooks } from '../../core/telemetry/metrics.js';
import { readRawBody } from '../raw-body.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { isoDate, page, pageQuery } from '../schemas/common.js';

export interface BillingRouteDeps {
  db: Db;
  /** List and search reads: the replica, or the writer right after this user's own write. */
  reads: ReadRouting;
  queues: Queues;
  idempotent: Idempotent;
  providers: ReturnType<typeof createProviders>;
  yookassaWebhookIps: string[];
  firstPollSeconds: number;
}

/** Webhook paths are read raw (signatures cover the exact bytes): the JSON parser skips them. */
export const WEBHOOK_PREFIX = '/api/payments/webhook/';
const WEBHOOK_MAX_BYTES = 256 * 1024;

const limitsSchema = z.object(Object.fromEntries(LIMIT_KEYS.map((k) => [k, z.number().int()])) as Record<(typeof LIMIT_KEYS)[number], z.ZodNumber>);
/** Minor units (kopecks, cents) and the currency. */
const priceSchema = z.object({ amount: z.number().int(), currency: z.string() });
const planSchema = z.object({ code: z.string(), name: z.string(), price: priceSchema, interval: z.string(), limits: limitsSchema });
const subscriptionSchema = z.object({
  id: z.uuid(), plan_code: z.string(), status: z.enum(['incomplete', 'active', 'past_due', 'canceled']), provider: z.string(),
  price: priceSchema.describe('What each period costs its holder: the plan\'s price when it was bought (a later price change applies to new checkouts only); 0 for a plan an operator granted'),
  current_period_end: isoDate.nullable(), cancel_at_period_end: z.boolean(),
});
const meSchema = z.object({
  subscription: subscriptionSchema.nullable(),
  plan: planSchema,
  usage: z.object({ messages_today: z.number().int(), documents_this_period: z.number().int(), storage_mb: z.number(), reviews_this_period: z.number().int(), period_end: isoDate }),
});
const paymentSchema = z.object({
  id: z.uuid(), provider: z.string(), kind: z.enum(['initial', 'renewal']), status: z.enum(['pending', 'waiting_for_capture', 'succeeded', 'canceled', 'refunded']),
  amount: priceSchema, confirmation_url: z.string().nullable(), subscription_id: z.uuid().nullable(),
  created_at: isoDate, updated_at: isoDate,
});
const subscribedSchema = z.object({ subscription: subscriptionSchema, payment: z.object({ id: z.uuid(), status: z.string(), confirmation_url: z.string().nullable() }).nullable() });
const received = z.object({ received: z.literal(true) });
const returnUrl = z.url({ protocol: /^https?$/ }).max(2000);

export function billingRoutes(deps: BillingRouteDeps): AnyRoute[] {
  const apply = async (eventId: string | undefined) => {
    if (eventId) await queueApplyEvent(deps.queues, eventId);
  };
  return [
    defineRoute({
      method: 'get', path: '/api/plans', summary: 'The plans, with prices (minor units) and limits, and the payment providers this server takes', tags: ['billing'], access: 'public',
      responses: { 200: { description: 'Plans, cheapest first; `providers`: those with keys here (others answer 503)', schema: z.object({ items: z.array(planSchema), providers: z.array(z.enum(PAYMENT_PROVIDERS)) }) } },
      async handler(ctx) {
        ctx.body = { items: (await listPlans(deps.db)).map(toPublicPlan), providers: PAYMENT_PROVIDERS.filter((p) => deps.providers[p]) };
      },
    }),
    defineRoute({
      method: 'put', path: '/api/admin/plans/:code', summary: "Change a plan's name, price or limits (audited)", tags: ['admin'], access: ['admin'],
      params: z.object({ code: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/) }),
      body: z.strictObject({
        name: z.string().trim().min(1).max(100).optional(),
        price: z.strictObject({ amount: z.number().int().min(0).max(100_000_000), currency: z.enum(['RUB', 'USD', 'EUR']).optional() }).optional(),
        limits: z.strictObject(Object.fromEntries(LIMIT_KEYS.map((k) => [k, z.number().int().min(0).max(10_000_000).optional()]))).optional(),
      }),
      responses: { 200: { description: 'The plan; a new price applies to new checkouts, subscriptions keep theirs', schema: planSchema }, 404: { description: 'No such plan' }, 422: { description: 'Invalid body; a price other than 0 for `free`, or under 100 (1.00) for a paid plan' } },
      async handler(ctx, { params, body }) {
        ctx.body = toPublicPlan(await updatePlan(deps.db, ctx.state.user.id, params.code, body));
      },
    }),
    defineRoute({
      method: 'post', path: '/api/subscriptions', summary: 'Subscribe to a plan: the answer carries the URL where the payment is confirmed', tags: ['billing'], access: 'user',
      body: z.strictObject({ plan_code: z.string().max(32), provider: z.enum(PAYMENT_PROVIDERS), return_url: returnUrl }),
      headers: [IDEMPOTENCY_HEADER],
      responses: {
        200: { description: 'Nothing new: the open checkout for this plan and provider, given back; or the plan cancelled at its period end, resumed without a payment (`payment: null`)', schema: subscribedSchema },
        201: { description: 'A new checkout: the subscription (incomplete until paid) and its first payment; any other open checkout is closed', schema: subscribedSchema },
        404: { description: 'No such plan' }, 409: { description: 'Already subscribed to this plan' }, 422: { description: 'Invalid body, or the free plan' },
        503: { description: '`payments_unavailable`: the provider has no keys here or did not answer' },
      },
      async handler(ctx, { body }) {
        const userId = ctx.state.user.id;
        await deps.idempotent(ctx, userId, body, async () => {
          const made = await subscribe({ db: deps.db, providers: deps.providers, firstPollSeconds: deps.firstPollSeconds, log: ctx.state.log }, userId, body);
          if (made.kind === 'resumed') return { status: 200, body: { subscription: (await subscriptionOf(deps.db, userId)).subscription!, payment: null } };
          return {
            status: made.kind === 'opened' ? 201 : 200,
            body: {
              // Incomplete until the provider reports the payment.
              subscription: { id: made.subscriptionId, plan_code: made.planCode, status: 'incomplete' as const, provider: body.provider, price: made.price, current_period_end: null, cancel_at_period_end: false },
              payment: { id: made.paymentId, status: 'pending', confirmation_url: made.confirmationUrl },
            },
          };
        });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/subscriptions/me', summary: 'Your plan, subscription and usage', tags: ['billing'], access: 'user',
      responses: { 200: { description: 'Plan, subscription (null on free) and usage', schema: meSchema } },
      async handler(ctx) {
        ctx.body = await subscriptionOf(deps.db, ctx.state.user.id);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/subscriptions/me/cancel', summary: 'Cancel at the end of the paid period', tags: ['billing'], access: 'user',
      responses: { 200: { description: 'Plan, subscription and usage after the change', schema: meSchema }, 404: { description: 'No paid subscription' } },
      async handler(ctx) {
        await cancelAtPeriodEnd({ db: deps.db, providers: deps.providers }, ctx.state.user.id);
        ctx.body = await subscriptionOf(deps.db, ctx.state.user.id);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/payments', summary: 'Your payments, newest first', tags: ['billing'], access: 'user',
      query: pageQuery,
      responses: { 200: { description: 'Payments', schema: page(paymentSchema) } },
      async handler(ctx, { query }) {
        const userId = ctx.state.user.id;
        const result = await deps.reads.read(userId, (db) =>
          keysetPage<Record<string, unknown> & { id: string; created_at: Date }>(db('payments').where({ user_id: userId }).select('*'), { limit: query.limit, after: decodeCursor(query.cursor), order: 'desc' }));
        ctx.body = { items: result.items.map(toPublicPayment), next_cursor: result.next_cursor };
      },
    }),
    defineRoute({
      method: 'post', path: `${WEBHOOK_PREFIX}stripe`, summary: 'Stripe events (Stripe-Signature over the raw body, 300 s tolerance)', tags: ['billing'], access: 'public',
      responses: { 200: { description: 'Stored (or seen before); applied by a job', schema: received }, 400: { description: 'The signature fails' }, 503: { description: 'Stripe is not configured' } },
      async handler(ctx) {
        const stripe = deps.providers.stripe;
        if (!stripe) throw domainErrors.unavailable('Stripe is not configured on this server', 'payments_unavailable');
        const raw = await readRawBody(ctx.req, WEBHOOK_MAX_BYTES);
        let received: Awaited<ReturnType<typeof receiveStripe>>;
        try {
          received = await receiveStripe(deps.db, stripe, raw, ctx.get('stripe-signature') || undefined);
        } catch (err) {
          if (err instanceof DomainError && err.code === 'invalid_signature') {
            paymentWebhooks.inc({ provider: 'stripe', outcome: 'rejected' });
            throw problems.badRequest(err.message, 'invalid_signature');
          }
          throw err;
        }
        paymentWebhooks.inc({ provider: 'stripe', outcome: received.outcome });
        await apply(received.stored);
        ctx.body = { received: true };
      },
    }),
    defineRoute({
      method: 'post', path: `${WEBHOOK_PREFIX}yookassa`, summary: 'YooKassa notifications (source range checked, the payment fetched back by id)', tags: ['billing'], access: 'public',
      responses: {
        200: { description: 'Stored, seen before, or not matching the fetched payment (then nothing changes)', schema: received },
        400: { description: 'Not a notification' }, 403: { description: 'From outside YOOKASSA_WEBHOOK_IPS' }, 503: { description: 'YooKassa is not configured, or did not answer' },
      },
      async handler(ctx) {
        const yookassa = deps.providers.yookassa;
        if (!yookassa) throw domainErrors.unavailable('YooKassa is not configured on this server', 'payments_unavailable');
        try {
          checkYooKassaSource(ctx.ip, deps.yookassaWebhookIps);
        } catch (err) {
          paymentWebhooks.inc({ provider: 'yookassa', outcome: 'rejected' });
          throw err;
        }
        const raw = await readRawBody(ctx.req, WEBHOOK_MAX_BYTES);
        let body: YooKassaNotification;
        try {
          body = JSON.parse(raw.toString('utf8')) as YooKassaNotification;
        } catch {
          throw problems.badRequest('the notification is not JSON', 'malformed_json');
        }
        if (!body || typeof body !== 'object') throw problems.badRequest('the notification is not an object', 'malformed_json');
        const result = await receiveYooKassa(deps.db, yookassa, body);
        if (result.ignored) ctx.state.log.info({ ignored: result.ignored }, 'yookassa notification ignored');
        paymentWebhooks.inc({ provider: 'yookassa', outcome: result.outcome });
        await apply(result.stored);
        ctx.body = { received: true };
      },
    }),
  ];
}
