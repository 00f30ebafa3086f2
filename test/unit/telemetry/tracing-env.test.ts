/** Tracing reads its OTEL_* variables before the validated config: blank ones count as unset there too. */
import { describe, expect, it } from 'vitest';
import { startTracing } from '../../../core/telemetry/tracing.js';

const service = { name: 'legal-ai-test', version: '0.0.0' };

describe('startTracing', () => {
  it('stays off when the endpoint is set to nothing', async () => {
    expect(await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: ' ' }, service)).toBeUndefined();
  });

  it('takes a protocol set to nothing for the default, as Compose passes an unset one', async () => {
    const tracing = await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: '' }, service);
    expect(tracing).toBeDefined();
    await tracing!.shutdown();
  });

  it('still refuses a protocol it does not speak', async () => {
    await expect(startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, service)).rejects.toThrow(/must be http\/json or http\/protobuf/);
  });
});
