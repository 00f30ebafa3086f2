/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is
 * set: the SDK, the exporter and the BullMQ telemetry are then loaded and registered before
 * the service's own modules (bin/start.ts starts this first). Unset, nothing is loaded, no
 * span is made, and the hooks below cost one boolean check.
 *
 * Spans are made by hand where they mean something: the HTTP request and the socket event
 * (api/), each job through `bullmq-otel` (context travels in job metadata, so one trace runs
 * through a whole flow), the provider call (GenAI conventions: model and token counts, never
 * prompt text) and every database query (statement text with placeholders, never values).
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { Telemetry } from 'bullmq';
import type { Knex } from 'knex';

const TRACER = 'legal-ai';
const PROTOCOLS = ['http/json', 'http/protobuf'] as const;

let enabled = false;
let bullmqTelemetry: Telemetry | undefined;

export const tracingEnabled = () => enabled;
export const tracer = (): Tracer => trace.getTracer(TRACER);
/** The `telemetry` option for BullMQ queues, flows and workers; undefined when tracing is off. */
export const queueTelemetry = () => bullmqTelemetry;

export interface Tracing {
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export class TracingConfigError extends Error {
  override name = 'TracingConfigError';
}

/** Starts tracing from the standard OTEL_* variables, or returns undefined when no endpoint is set. */
export async function startTracing(env: NodeJS.ProcessEnv, service: { name: string; version: string }): Promise<Tracing | undefined> {
  // Read before the validated config (tracing starts first): a variable set to nothing is unset here too.
  const set = (name: string) => env[name]?.trim() || undefined;
  if (!set('OTEL_EXPORTER_OTLP_ENDPOINT') && !set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')) return undefined;
  const protocol = set('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? set('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new TracingConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL: must be ${PROTOCOLS.join(' or ')} (got "${protocol}")`);
  }
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, sdk, resources, exporterModule, { BullMQOtel }] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
    import('bullmq-otel'),
  ]);
  // The exporter reads the endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_* variables.
  const exporter = new exporterModule.OTLPTraceExporter();
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  const provider = new sdk.TracerProvider({
    resource: resources.defaultResource().merge(
      resources.resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || service.name, 'service.version': service.version }),
    ),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, ...(Number.isFinite(delay) && delay > 0 ? { scheduledDelayMillis: delay } : {}) })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  bullmqTelemetry = withoutJobText(new BullMQOtel({ tracerName: TRACER, version: service.version }) as unknown as Telemetry);
  enabled = true;
  return {
    async shutdown() {
      await provider.shutdown();
    },
  };
}

/**
 * BullMQ records a job's whole return value and its failure message on the job's span: a
 * one-off answer is text, and a failure may quote a provider. Traces carry no text, so those
 * two attributes are dropped from its events.
 */
const JOB_TEXT = new Set(['bullmq.job.result', 'bullmq.job.failed.reason']);
function withoutJobText(telemetry: Telemetry): Telemetry {
  const { tracer } = telemetry;
  return {
    contextManager: telemetry.contextManager,
    tracer: {
      startSpan(name, options, ctx) {
        const span = tracer.startSpan(name, options, ctx);
        const addEvent = span.addEvent.bind(span);
        span.addEvent = (event, attributes) => addEvent(event, attributes && Object.fromEntries(Object.entries(attributes).filter(([key]) => !JOB_TEXT.has(key))));
        return span;
      },
    },
  };
}

type SpanOptions = { kind?: SpanKind; attributes?: Record<string, string | number | boolean> };
const NOT_RECORDING = trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 });

/** Runs `fn` in a new active span; the span ends with it, marked as an error if it throws. */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!enabled) return fn(NOT_RECORDING);
  return runSpan(tracer().startSpan(name, options), context.active(), fn);
}

/** A server span continuing the caller's trace (W3C `traceparent` in `carrier`, e.g. HTTP headers). */
export async function inServerSpan<T>(name: string, carrier: Record<string, unknown>, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!enabled) return fn(NOT_RECORDING);
  const parent = propagation.extract(ROOT_CONTEXT, carrier);
  return runSpan(tracer().startSpan(name, { kind: SpanKind.SERVER }, parent), parent, fn);
}

async function runSpan<T>(span: Span, parent: ReturnType<typeof context.active>, fn: (span: Span) => Promise<T>): Promise<T> {
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', errorType(err));
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Statement spans for a knex instance: text with placeholders, never the bound values. */
export function traceQueries(db: Knex): void {
  if (!enabled) return;
  const open = new Map<string, Span>();
  db.on('query', (q: QueryEvent) => {
    const operation = /^\s*(\w+)/.exec(q.sql)?.[1]?.toUpperCase() ?? 'QUERY';
    open.set(q.__knexQueryUid, tracer().startSpan(operation, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': q.sql },
    }));
  });
  // knex passes (response | error, query) to these two.
  const end = (failed: boolean) => (_outcome: unknown, q: QueryEvent) => {
    const span = open.get(q.__knexQueryUid);
    if (!span) return;
    open.delete(q.__knexQueryUid);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  db.on('query-response', end(false));
  db.on('query-error', end(true));
}

interface QueryEvent {
  __knexQueryUid: string;
  sql: string;
}

/** A bounded error label: a code when the error has one (also a wrapped provider error's), else its class. */
function errorType(err: unknown): string {
  const e = err as { code?: unknown; error?: { code?: unknown }; name?: unknown };
  const code = e.code ?? e.error?.code ?? e.name;
  return typeof code === 'string' ? code : 'Error';
}

/** trace_id and span_id of the active span, for log lines (empty outside a trace). */
export function logContext(): Record<string, string> {
  const span = enabled ? trace.getActiveSpan() : undefined;
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export { SpanKind, SpanStatusCode };
