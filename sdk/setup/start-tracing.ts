/**
 * Starts activity tracing: our own tracer provider, never registered as the global one (an app's own
 * OpenTelemetry SDK keeps exactly its spans), with our span processors in front of the export processor, inbound
 * access spans, and the http / undici client instrumentations bound to it. Deliberately not the NodeSDK: no
 * resource detectors, no metrics, nothing per request that can be done once.
 */
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, type Span as SdkSpan, type SpanExporter, type SpanLimits } from '@opentelemetry/sdk-trace-base';
import type { AccessSpanShared } from '../activity/access-span';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ActivitySpanProcessor } from '../activity/activity-span-processor';
import type { ActivityConfig } from '../config/config-types';
import { traceInboundRequests } from '../activity/inbound-requests';
import { traceFastifyRoutes } from '../request/fastify-routes';
import { createActivityRuntime, setRuntime, TRACER_NAME, type ActivityHooks, type ActivityRuntime } from '../runtime/activity-runtime';
import { ActivitySampler } from '../sampling/activity-sampler';
import { ActivitySamplingProcessor } from '../sampling/activity-sampling-processor';
import { ATTR_SERVICE_NAME } from '../attributes';
import { HTTP_CLIENT_SCOPE, traceHttpClientCalls } from '../external/http-client-spans';
import { BufferedExportProcessor } from '../export/buffered-export-processor';
import { createExportProcessor, otlpTracesUrl } from './export-processor';
import { createInstrumentations } from './instrumentations';
import { registerSharedGlobals, unregisterSharedGlobals } from './otel-globals';
import { createPropagator } from './propagators';
import { replayLateCoreRegistrations } from './late-core-registrations';
import { PooledIdGenerator } from './id-generator';
import { buildResource } from './resource';

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
  /**
   * Where a lenient problem in the in-process exporter's own settings is told (the app keeps running); default a
   * diag warning. With sdk.strict the first one is thrown instead, as a ConfigError.
   */
  readonly onConfigProblem?: (message: string) => void;
}

export interface ActivityTracing {
  readonly provider: BasicTracerProvider;
  readonly runtime: ActivityRuntime;
  forceFlush(): Promise<void>;
  /** The process is about to end without an 'exit' event: unsent spans go to the buffer now, synchronously. */
  handOff(): void;
  /** Flushes, stops the instrumentations and unregisters the provider. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * What the access spans share: our tracer's resource, scope and span limits (the SDK's merged OTEL_* limits, read
 * from the tracer so the access span keeps exactly the limits of every other span), and the same processors in
 * the same order as the provider runs them for its own spans.
 */
function accessSpanShared(
  tracer: Tracer,
  resource: AccessSpanShared['resource'],
  ids: PooledIdGenerator,
  attributeMaxLength: number,
  activity: ActivitySpanProcessor,
  sampling: ActivitySamplingProcessor,
): AccessSpanShared {
  const sdkTracer = tracer as Partial<{ instrumentationScope: AccessSpanShared['instrumentationScope']; _spanLimits: SpanLimits }>;
  return {
    resource,
    instrumentationScope: sdkTracer.instrumentationScope ?? { name: TRACER_NAME },
    limits: sdkTracer._spanLimits ?? { attributeValueLengthLimit: attributeMaxLength, attributeCountLimit: 128, eventCountLimit: 128, linkCountLimit: 128 },
    ids,
    // The processors take the SDK's Span type; an AccessSpan has every field they read.
    onStart: (span, parent) => {
      activity.onStart(span as unknown as SdkSpan, parent);
      sampling.onStart(span as unknown as SdkSpan, parent);
    },
    onEnding: (span) => activity.onEnding(span as unknown as SdkSpan),
    onEnd: (span) => {
      activity.onEnd(span);
      sampling.onEnd(span);
    },
  };
}

export function startActivityTracing(config: ActivityConfig, options: StartTracingOptions = {}): ActivityTracing {
  const cwd = options.cwd ?? process.cwd();
  const resource = buildResource(config.sdk, { cwd, resourceAttributes: options.resourceAttributes, nodeEnv: options.nodeEnv });
  const exportProcessor = createExportProcessor(config, {
    serviceName: String(resource.attributes[ATTR_SERVICE_NAME] ?? ''),
    exporter: options.exporter,
    simple: options.simpleProcessor,
    onConfigProblem: options.onConfigProblem,
  });

  const ids = new PooledIdGenerator();
  const activityProcessor = new ActivitySpanProcessor();
  const samplingProcessor = new ActivitySamplingProcessor(exportProcessor, {
    sampleRate: config.sdk.sampleRate,
    authenticatedOnly: config.sdk.authenticatedOnly,
    random: options.random,
  });
  // BasicTracerProvider, not NodeTracerProvider: that only adds register(), which we never call, and it pinned its
  // own copies of the SDK packages (a second core, resources and sdk-trace loaded at every app's start).
  const provider = new BasicTracerProvider({
    resource,
    // Ours records every span whatever OTEL_TRACES_SAMPLER or the caller's flags say: that variable is for the
    // app's own SDK, and an audit row must not depend on it. What is kept is decided at span end.
    sampler: new ActivitySampler(),
    spanLimits: { attributeValueLengthLimit: config.sdk.attributeMaxLength },
    idGenerator: ids,
    spanProcessors: [activityProcessor, samplingProcessor],
  });
  const tracer = provider.getTracer(TRACER_NAME);
  const runtime = createActivityRuntime(config.sdk, options.hooks, tracer);
  setRuntime(runtime);
  const globals = registerSharedGlobals(new AsyncLocalStorageContextManager(), createPropagator(config.sdk.propagators));
  const contextManager = globals.contextManager as Partial<AsyncLocalStorageContextManager>;
  // attach() is the AsyncLocalStorage manager's (ours, or the app's of any version); without it the handler still
  // finds its request through our own store, and the app's own context stays as the app set it.
  const attach = typeof contextManager.attach === 'function' ? contextManager.attach.bind(contextManager) : () => undefined;
  const stopInbound = traceInboundRequests(runtime, accessSpanShared(tracer, resource, ids, config.sdk.attributeMaxLength, activityProcessor, samplingProcessor), attach);

  const stopFastifyRoutes = traceFastifyRoutes();

  const stopHttpClient = traceHttpClientCalls(runtime, provider.getTracer(HTTP_CLIENT_SCOPE), {
    ignoreOrigins: config.sdk.exportMode === 'otlp' ? [otlpTracesUrl(config.sdk)] : [],
  });
  replayLateCoreRegistrations();
  const disableInstrumentations = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: createInstrumentations(runtime),
  });

  let stopped: Promise<void> | undefined;
  return {
    provider,
    runtime,
    forceFlush: () => provider.forceFlush(),
    handOff: () => {
      if (exportProcessor instanceof BufferedExportProcessor) exportProcessor.handOff();
    },
    shutdown: () => {
      stopped ??= (async () => {
        stopInbound();
        stopFastifyRoutes();
        disableInstrumentations();
        stopHttpClient();
        await provider.shutdown();
        unregisterSharedGlobals(globals);
      })();
      return stopped;
    },
  };
}
