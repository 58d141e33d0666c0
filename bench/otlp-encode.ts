/**
 * What encoding a batch of access spans as OTLP protobuf costs the app, per span: the SDK's own encoder against
 * `@opentelemetry/otlp-transformer`'s ProtobufTraceSerializer on the same 512 spans, alternated in one process,
 * medians of rounds. Spans come from the real OTel SDK with the attributes an access span carries.
 *
 *   node dist/bench/otlp-encode.js [--rounds N] [--no-write]
 */
import { SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeTraceRequest } from 'otel-activity/internal/export/otlp-trace-encoder';
import { ProtoWriter } from 'otel-activity/internal/export/proto-writer';
import { numberArg, type BenchArgs } from './lib/bench-args';
import { runStandalone, type BenchMain } from './lib/script-main';
import { median } from './lib/stats';

const BATCH = 512;

function accessSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop', 'service.version': '1.4.2', 'deployment.environment.name': 'prod', 'host.name': 'web-1' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('otel-activity', '0.1.0');
  for (let i = 0; i < BATCH; i++) {
    tracer
      .startSpan('GET /api/products/:id', {
        kind: SpanKind.SERVER,
        attributes: {
          'activity.kind': 'access',
          'http.request.method': 'GET',
          'url.path': `/api/products/${i}`,
          'url.scheme': 'http',
          'http.route': '/api/products/:id',
          'http.response.status_code': 200,
          'http.request.body.size': 0,
          'http.response.body.size': 1234 + i,
          'client.address': '203.0.113.0',
          'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
          'activity.ua.browser': 'Chrome',
          'activity.ua.os': 'Linux',
          'activity.ua.device_type': 'desktop',
          'user.id': `user-${i % 50}`,
          'session.id': 'c2Vzc2lvbi1hYmNkZWYwMTIzNDU2Nzg5',
          'server.address': '127.0.0.1',
          'server.port': 3000,
        },
      })
      .end();
  }
  return exporter.getFinishedSpans() as ReadableSpan[];
}

/** CPU µs (user + system: a fresh body's page faults count) per span of `reps` full-batch encodes. */
function usPerSpan(encode: () => Uint8Array, reps: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < reps; i++) encode();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / reps / BATCH;
}

export const main: BenchMain = async (args: BenchArgs) => {
  const rounds = numberArg(args, 'rounds', 15);
  const spans = accessSpans();
  const writer = new ProtoWriter();
  // As the export processor does: each body is given back once sent, and its memory serves a later batch.
  const ours = () => {
    const body = encodeTraceRequest(spans, writer);
    writer.release(body);
    return body;
  };
  const reference = () => ProtobufTraceSerializer.serializeRequest(spans)!;
  for (let i = 0; i < 50; i++) {
    ours();
    reference();
  }
  const timings = { ours: [] as number[], reference: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    timings.reference.push(usPerSpan(reference, 20));
    timings.ours.push(usPerSpan(ours, 20));
  }
  const oursUs = median(timings.ours);
  const referenceUs = median(timings.reference);
  const bytes = ours().length / BATCH;
  return [
    '### OTLP protobuf encoding of access spans (app CPU per span)',
    '',
    `${BATCH}-span batches, ${rounds} alternated rounds of 20 encodes, median of process CPU time; ${bytes.toFixed(0)} bytes per span, the same bytes from both (test/sdk-otlp-encoder.test.ts).`,
    '',
    '| encoder | CPU µs per span | ratio |',
    '| --- | ---: | ---: |',
    `| otlp-transformer ProtobufTraceSerializer (baseline) | ${referenceUs.toFixed(3)} | 1.00 |`,
    `| otel-activity encodeTraceRequest | ${oursUs.toFixed(3)} | ${(referenceUs / oursUs).toFixed(2)}× faster |`,
    '',
  ].join('\n');
};

if (require.main === module) runStandalone('node dist/bench/otlp-encode.js (OTLP encoding per span)', main);
