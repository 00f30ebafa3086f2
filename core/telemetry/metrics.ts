/**
 * Prometheus metrics of this process (`prom-client`): one registry, the default Node metrics,
 * and the service's own. Labels are bounded sets (route templates, queue and job names,
 * provider, model, error code, PII type): never a user id, an id of any kind, or text.
 * Values that live elsewhere (queue depth, circuit state) are read at scrape time from the
 * sources that running parts of the process register, and unregister when they close.
 */
import client from 'prom-client';
import { PAYMENT_PROVIDERS } from '../billing/provider.js';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const registers = [registry];
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SLOW_SECONDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];

export const httpDuration = new client.Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'HTTP request duration by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: SECONDS,
  registers,
});

export const jobDuration = new client.Histogram({
  name: 'bullmq_job_duration_seconds',
  help: 'Job processing time by queue, job name and outcome (completed, failed)',
  labelNames: ['queue', 'job', 'outcome'] as const,
  buckets: SLOW_SECONDS,
  registers,
});

export const aiTimeToFirstToken = new client.Histogram({
  name: 'ai_time_to_first_token_seconds',
  help: 'Time from the provider call to its first token',
  labelNames: ['provider', 'model'] as const,
  buckets: SLOW_SECONDS,
  registers,
});

export const aiDuration = new client.Histogram({
  name: 'ai_completion_duration_seconds',
  help: 'Duration of a provider call by outcome (ok, error)',
  labelNames: ['provider', 'model', 'outcome'] as const,
  buckets: SLOW_SECONDS,
  registers,
});

export const aiErrors = new client.Counter({
  name: 'ai_provider_errors_total',
  help: 'Failed provider calls by error code',
  labelNames: ['provider', 'code'] as const,
  registers,
});

export const aiTokens = new client.Counter({
  name: 'ai_tokens_total',
  help: 'Tokens by provider, model and direction (input, output)',
  labelNames: ['provider', 'model', 'direction'] as const,
  registers,
});

export const dlpEntities = new client.Counter({
  name: 'dlp_entities_total',
  help: 'Personal data values masked, by type',
  labelNames: ['type'] as const,
  registers,
});

export const dlpScanDuration = new client.Histogram({
  name: 'dlp_scan_duration_seconds',
  help: 'Time to mask one text',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers,
});

export const socketConnections = new client.Gauge({
  name: 'socketio_connections',
  help: 'Open Socket.IO connections on this node',
  registers,
});

export const chatMessages = new client.Counter({
  name: 'chat_messages_total',
  help: 'Questions accepted (chat messages and one-off answers), by kind',
  labelNames: ['kind'] as const,
  registers,
});

export const replies = new client.Counter({
  name: 'chat_replies_total',
  help: 'Answers that ended, by outcome (completed, cached, degraded, failed) and error code',
  labelNames: ['outcome', 'code'] as const,
  registers,
});

export const documentsIngested = new client.Counter({
  name: 'documents_ingested_total',
  help: 'Document versions whose ingestion ended, by outcome (ready, failed) and error code',
  labelNames: ['outcome', 'code'] as const,
  registers,
});

export const reviewChanges = new client.Counter({
  name: 'reviews_total',
  help: 'Lawyer review changes, by the status they moved to (pending, assigned, in_progress, completed, cancelled)',
  labelNames: ['status'] as const,
  registers,
});

export const reviewSlaBreaches = new client.Counter({
  name: 'review_sla_breaches_total',
  help: 'Lawyer review deadlines passed: accept (the assigned lawyer lost it) or resolution (breached, escalated)',
  labelNames: ['kind'] as const,
  registers,
});

export const paymentChanges = new client.Counter({
  name: 'payments_total',
  help: 'Payments that moved, by provider and the status they moved to',
  labelNames: ['provider', 'status'] as const,
  registers,
});

/** A counter per payment provider an alert watches: each provider's series exists from the start, as increase() needs a sample before the first event. */
function alertedPerProvider(name: string, help: string) {
  const counter = new client.Counter({ name, help, labelNames: ['provider'] as const, registers });
  for (const provider of PAYMENT_PROVIDERS) counter.inc({ provider }, 0);
  return counter;
}

export const paymentRefundsDue = alertedPerProvider('payment_refunds_due_total',
  'Payments that succeeded but granted nothing (a closed checkout paid, a charge after the subscription ended): an operator refunds them at the provider');

export const paymentDisputes = alertedPerProvider('payment_disputes_total',
  'Charges the payer disputed at their bank: an operator answers each at the provider before its deadline');

export const paymentWebhooks = new client.Counter({
  name: 'payment_webhooks_total',
  help: 'Payment webhooks by provider and outcome: accepted (stored), duplicate, ignored (a type not used, or a notification the fetched payment contradicts), rejected (bad signature or source), failed (could not be applied)',
  labelNames: ['provider', 'outcome'] as const,
  registers,
});

/** A part of the process that reports values at scrape time; returns its unregister function. */
type Source<T> = () => Promise<T> | T;

function sourceSet<T>() {
  const sources = new Set<Source<T>>();
  return {
    add(source: Source<T>) {
      sources.add(source);
      return () => void sources.delete(source);
    },
    read: () => Promise.all([...sources].map((s) => s())),
  };
}

const queueSources = sourceSet<Array<{ queue: string; counts: Record<string, number> }>>();
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

new client.Gauge({
  name: 'bullmq_queue_jobs',
  help: 'Jobs per queue and state, read when scraped',
  labelNames: ['queue', 'state'] as const,
  registers,
  async collect() {
    this.reset();
    for (const report of await queueSources.read()) {
      for (const { queue, counts } of report) {
        for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0);
      }
    }
  },
});

const circuitSources = sourceSet<Record<string, string>>();
const CIRCUIT_VALUE: Record<string, number> = { closed: 0, 'half-open': 1, open: 2 };

new client.Gauge({
  name: 'ai_circuit_state',
  help: 'Circuit breaker per provider: 0 closed, 1 half-open, 2 open',
  labelNames: ['provider'] as const,
  registers,
  async collect() {
    this.reset();
    for (const circuits of await circuitSources.read()) {
      for (const [provider, state] of Object.entries(circuits)) this.set({ provider }, CIRCUIT_VALUE[state] ?? 0);
    }
  },
});

/** Queues whose depth this process reports (`getJobCounts`: a few Redis commands per scrape). */
export const reportQueueDepth = queueSources.add;
/** An orchestrator whose circuits this process reports. */
export const reportCircuits = circuitSources.add;
