/**
 * The propagator OTEL_PROPAGATORS names (default tracecontext,baggage), built from the official packages, as the
 * OTel spec defines the values: `b3` is single-header B3, `b3multi` the X-B3-* headers, `none` nothing.
 */
import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

// B3 is loaded only when asked for: most apps never use it, and every module required at start is start-up time
// and resident memory in the app.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const b3 = (): typeof import('@opentelemetry/propagator-b3') => require('@opentelemetry/propagator-b3');

const FACTORIES: Record<string, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  b3: () => new (b3().B3Propagator)({ injectEncoding: b3().B3InjectEncoding.SINGLE_HEADER }),
  b3multi: () => new (b3().B3Propagator)({ injectEncoding: b3().B3InjectEncoding.MULTI_HEADER }),
};

/** Names are validated by the config schema; `none` anywhere in the list means no propagation. */
export function createPropagator(names: readonly string[]): TextMapPropagator {
  const unique = [...new Set(names)];
  const propagators = unique.includes('none') ? [] : unique.flatMap((name) => (FACTORIES[name] ? [FACTORIES[name]()] : []));
  return new CompositePropagator({ propagators });
}

/** The header whose presence means a propagator has something to read (so requests without any skip extract()). */
const TRIGGERS: Record<string, string> = { tracecontext: 'traceparent', baggage: 'baggage', b3: 'b3', b3multi: 'x-b3-traceid' };

export function propagationHeaders(names: readonly string[]): readonly string[] {
  if (names.includes('none')) return [];
  return [...new Set(names.flatMap((name) => (TRIGGERS[name] ? [TRIGGERS[name]] : [])))];
}
