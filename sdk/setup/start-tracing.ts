/**
 * Starts activity tracing: a NodeTracerProvider (AsyncLocalStorage context, W3C propagation) with our span
 * processors in front of a batch exporter, inbound access spans, and the http / undici client instrumentations. Deliberately not
 * the NodeSDK: no resource detectors, no metrics, nothing per request that can be done once.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ActivitySpanProcessor } from '../activity/activity-span-processor';
import type { ActivityConfig } from '../config/config-types';
import { traceInboundRequests } from '../activity/inbound-requests';
import { traceFastifyRoutes } from '../request/fastify-routes';
import { createActivityRuntime, setRuntime, TRACER_NAME, type ActivityHooks, type ActivityRuntime } from '../runtime/activity-runtime';
import { ActivitySamplingProcessor } from '../sampling/activity-sampling-processor';
import { createInstrumentations } from './instrumentations';
import { PooledIdGenerator } from './id-generator';
import { buildResource } from './resource';
import { createSpanExporter } from './span-exporter';

export interface StartTracingOptions {
  /** Replaces the exporter chosen by exportMode (tests pass an InMemorySpanExporter). */
  readonly exporter?: SpanExporter;
  /** Export each span as it ends instead of in batches (tests). Default false. */
  readonly simpleProcessor?: boolean;
  /** The app's folder, where its package.json names the service. Default process.cwd(). */
  readonly cwd?: string;
  /** OTEL_RESOURCE_ATTRIBUTES as read by the caller. */
  readonly resourceAttributes?: string;
  /** NODE_ENV as read by the caller. */
  readonly nodeEnv?: string;
  readonly hooks?: ActivityHooks;
  /** Random source for sampling (tests). */
  readonly random?: () => number;
}

export interface ActivityTracing {
  readonly provider: NodeTracerProvider;
  readonly runtime: ActivityRuntime;
  forceFlush(): Promise<void>;
  /** Flushes, stops the instrumentations and unregisters the provider. Idempotent. */
  shutdown(): Promise<void>;
}

export function startActivityTracing(config: ActivityConfig, options: StartTracingOptions = {}): ActivityTracing {
  const runtime = createActivityRuntime(config.sdk, options.hooks);
  setRuntime(runtime);
  const cwd = options.cwd ?? process.cwd();

  const exporter = options.exporter ?? createSpanExporter(config);
  let exportProcessor: SpanProcessor;
  if (exporter === undefined) exportProcessor = new NoopSpanProcessor();
  else if (options.simpleProcessor) exportProcessor = new SimpleSpanProcessor(exporter);
  else {
    // A deep queue for bursts, and a short delay so little is pending when the process exits. Batches stay at
    // 512: measured (bench/RESULTS.md), 2048-span batches cost ~20 µs more per request, because spans held
    // that long survive into V8's old generation and every export builds a multi-MB payload.
    exportProcessor = new BatchSpanProcessor(exporter, {
      maxQueueSize: 16_384,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 1000,
      exportTimeoutMillis: 10_000,
    });
  }

  const provider = new NodeTracerProvider({
    resource: buildResource(config.sdk, { cwd, resourceAttributes: options.resourceAttributes, nodeEnv: options.nodeEnv }),
    spanLimits: { attributeValueLengthLimit: config.sdk.attributeMaxLength },
    idGenerator: new PooledIdGenerator(),
    spanProcessors: [
      new ActivitySpanProcessor(),
      new ActivitySamplingProcessor(exportProcessor, {
        sampleRate: config.sdk.sampleRate,
        authenticatedOnly: config.sdk.authenticatedOnly,
        random: options.random,
      }),
    ],
  });
  const contextManager = new AsyncLocalStorageContextManager();
  provider.register({ contextManager });
  const stopInbound = traceInboundRequests(runtime, provider.getTracer(TRACER_NAME), (ctx) => {
    contextManager.attach(ctx);
  });

  const stopFastifyRoutes = traceFastifyRoutes();

  const disableInstrumentations = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: createInstrumentations(runtime, {
      ignoreOrigins: config.sdk.exportMode === 'otlp' ? [config.sdk.otlpEndpoint] : [],
    }),
  });

  let stopped: Promise<void> | undefined;
  return {
    provider,
    runtime,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => {
      stopped ??= (async () => {
        stopInbound();
        stopFastifyRoutes();
        disableInstrumentations();
        await provider.shutdown();
        trace.disable();
        context.disable();
        propagation.disable();
      })();
      return stopped;
    },
  };
}
