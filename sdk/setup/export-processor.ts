/**
 * The span processor that exports, for each export mode: OTLP/HTTP through the buffered processor (protobuf by
 * default, the OTLP spec's default and about half the bytes of JSON; grpc is warned about and sent as protobuf),
 * the in-process ClickHouse exporter behind the same buffer (required lazily, so chDB is never loaded in otlp mode),
 * the console, or none.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { diag } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ActivityConfig, SdkConfig } from '../config/config-types';
import { BufferedExportProcessor } from '../export/buffered-export-processor';
import { defaultBufferDir, DiskBuffer } from '../export/disk-buffer';
import type { InProcessSender, InProcessSenderOptions } from '../export/in-process-sender';
import { postOtlp, type OtlpTarget } from '../export/otlp-request';
import { ProtobufSpanBatcher, SpanListBatcher, type SpanBatcher } from '../export/span-batchers';
import { SENDER_ENV, type SenderJob } from '../export/send-buffered';

/** The server package, resolved from the SDK's own location, so an app that installs both finds it. */
const SERVER_INPROCESS = 'otel-activity-server/inprocess';

/**
 * The server package's sender, required lazily so chDB loads only in inprocess mode. Without the package the
 * app keeps serving: spans wait in the disk buffer (stored by the first start that has it) and one error says
 * what to install.
 */
function loadInProcessSender(options: InProcessSenderOptions): InProcessSender {
  let loaded: { createInProcessSender(options: InProcessSenderOptions): InProcessSender };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: chDB loads only in inprocess mode
    loaded = require(SERVER_INPROCESS) as typeof loaded;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(SERVER_INPROCESS);
    diag.error(
      missing
        ? 'otel-activity: OTEL_ACTIVITY_EXPORT=inprocess stores spans in ClickHouse from this process and needs the server package: npm install otel-activity-server. Spans are kept in the disk buffer until then.'
        : `otel-activity: the in-process exporter (otel-activity-server) failed to load: ${String(error)}. Spans are kept in the disk buffer.`,
    );
    return { send: () => Promise.resolve('retry'), shutdown: () => Promise.resolve() };
  }
  return loaded.createInProcessSender(options);
}

/** Where spans are POSTed: the per-signal endpoint as given, else `${otlpEndpoint}/v1/traces`. */
export function otlpTracesUrl(sdk: SdkConfig): string {
  return sdk.otlpTracesEndpoint !== '' ? sdk.otlpTracesEndpoint : `${sdk.otlpEndpoint}/v1/traces`;
}

export interface ExportProcessorInputs {
  /** service.name from the resource: names the default buffer directory. */
  readonly serviceName: string;
  /** Replaces the mode's exporter (tests pass an InMemorySpanExporter). */
  readonly exporter?: SpanExporter;
  /** Export each span as it ends (tests). */
  readonly simple?: boolean;
  /** Told each problem in the in-process exporter's own settings; default a diag warning. */
  readonly onConfigProblem?: (message: string) => void;
}

function bufferFor(sdk: SdkConfig, serviceName: string, extension: string): { dir: string; buffer: DiskBuffer | undefined } {
  const dir = sdk.bufferDir !== '' ? path.resolve(sdk.bufferDir) : defaultBufferDir(os.tmpdir(), serviceName);
  if (sdk.bufferMaxBytes === 0) return { dir, buffer: undefined };
  const opened = DiskBuffer.open(dir, sdk.bufferMaxBytes, extension);
  if (opened.problem !== undefined) diag.warn(`otel-activity: ${opened.problem}`);
  return { dir, buffer: opened.buffer };
}

/**
 * One OTLP body per batch, in the encoding the endpoint takes. Protobuf, the default, is our own encoder (the same
 * message as otlp-transformer's, about 3.5× less CPU per span: bench/otlp-encode.ts), run as each span ends so no
 * span object waits for its batch; JSON stays on otlp-transformer.
 */
function batcherFor(json: boolean): SpanBatcher {
  if (json) {
    // Loaded only for JSON: otlp-transformer brings the metrics and logs serializers with it, start-up cost for
    // every app that exports protobuf.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { JsonTraceSerializer } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
    return new SpanListBatcher((spans) => JsonTraceSerializer.serializeRequest(spans) ?? new Uint8Array(0));
  }
  return new ProtobufSpanBatcher();
}

function createOtlpProcessor(sdk: SdkConfig, serviceName: string): SpanProcessor {
  if (sdk.otlpProtocol === 'grpc') {
    diag.warn(`otel-activity: OTLP protocol grpc is not supported; sending http/protobuf to ${otlpTracesUrl(sdk)} instead (set OTEL_ACTIVITY_OTLP_PROTOCOL to silence this)`);
  }
  const json = sdk.otlpProtocol === 'http/json';
  const target: OtlpTarget = {
    url: otlpTracesUrl(sdk),
    headers: sdk.otlpHeaders,
    contentType: json ? 'application/json' : 'application/x-protobuf',
    timeoutMs: 10_000,
  };
  const extension = json ? '.json' : '.pb';
  const { dir, buffer } = bufferFor(sdk, serviceName, extension);
  return new BufferedExportProcessor({
    batcher: batcherFor(json),
    send: (body) => postOtlp(target, body),
    buffer,
    onExitBuffered: () => startExitSender({ dir, extension, target, giveUpMs: 60_000 }),
  });
}

/** The same buffer as OTLP mode (its own directory); what an exit leaves there is stored by the next start. */
function createInProcessProcessor(sdk: SdkConfig, inputs: ExportProcessorInputs): SpanProcessor {
  const sender = loadInProcessSender({
    strict: sdk.strict,
    onProblem: inputs.onConfigProblem ?? ((message) => diag.warn(`otel-activity: ${message}`)),
  });
  const { buffer } = bufferFor(sdk, `${inputs.serviceName}.inprocess`, '.pb');
  const processor = new BufferedExportProcessor({
    batcher: batcherFor(false),
    send: (body) => sender.send(body),
    buffer,
  });
  const shutdown = processor.shutdown.bind(processor);
  processor.shutdown = async () => {
    await shutdown();
    await sender.shutdown();
  };
  return processor;
}

/** Detached and unref'd: it outlives the app, and is not traced (no preload, no NODE_OPTIONS). */
function startExitSender(job: SenderJob): void {
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, [SENDER_ENV]: JSON.stringify(job) };
    delete env.NODE_OPTIONS;
    // Required here, at exit: child_process is resident memory an app that exits cleanly never needs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'export', 'send-buffered.js')], {
      detached: true,
      stdio: 'ignore',
      env,
    });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // The next start of the app sends the buffer.
  }
}

export function createExportProcessor(config: ActivityConfig, inputs: ExportProcessorInputs): SpanProcessor {
  const exporter = inputs.exporter;
  if (exporter === undefined) {
    switch (config.sdk.exportMode) {
      case 'otlp':
        return createOtlpProcessor(config.sdk, inputs.serviceName);
      case 'none':
        return new NoopSpanProcessor();
      case 'console':
        return new SimpleSpanProcessor(new ConsoleSpanExporter());
      case 'inprocess':
        return createInProcessProcessor(config.sdk, inputs);
    }
  }
  if (inputs.simple) return new SimpleSpanProcessor(exporter);
  // Batches stay at 512: measured (bench/RESULTS.md), 2048-span batches cost ~20 µs more per request, because
  // spans held that long survive into V8's old generation and every export builds a multi-MB payload.
  return new BatchSpanProcessor(exporter, { maxQueueSize: 16_384, maxExportBatchSize: 512, scheduledDelayMillis: 1000, exportTimeoutMillis: 10_000 });
}
