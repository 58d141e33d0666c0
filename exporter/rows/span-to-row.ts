/**
 * Routes an activity span to its table and maps it: `activity.kind` decides (access, auth, external, custom);
 * spans without it still map when they look like HTTP (SERVER → access_log, CLIENT → external_calls) or are a
 * GenAI client span (CLIENT with gen_ai.provider.name → external_calls), so spans from stock OTel SDKs land too.
 * Everything else (internal, DB, messaging spans) is undefined: ignored, not an error.
 */
import { ATTR_ACTIVITY_KIND, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM_LEGACY, type ActivityKind } from 'otel-activity/contract';
import type { ActivitySpan } from 'otel-activity/contract';
import { DEFAULT_ATTRIBUTE_MAX_LENGTH } from './attribute-values';
import { METHOD_KEYS } from './http-fields';
import { ROW_TABLE_BY_KIND, type RowOf, type TableName } from './table-registry';

export interface MappingOptions {
  /** Cap for every string value, in UTF-16 units (default 4096, the SDK's attributeMaxLength default). */
  readonly attributeMaxLength?: number;
}

/** A row and its table, one member per row table: narrowing on `table` types `row`. */
export type RoutedRow = { [T in TableName]: { readonly table: T; readonly row: RowOf<T> } }[TableName];

const SPAN_KIND_SERVER = 1;
const SPAN_KIND_CLIENT = 2;
/** Below this, capped values stop being useful for anything (ids, routes); matches the config's minimum. */
const MIN_MAX_LENGTH = 64;

export function spanToRow(span: ActivitySpan, opts: MappingOptions = {}): RoutedRow | undefined {
  const kind = kindOf(span);
  const table = kind === undefined ? undefined : ROW_TABLE_BY_KIND.get(kind);
  if (!table) return undefined;
  // Each descriptor pairs its name with its own mapper; TypeScript cannot see that through the union of descriptors.
  return { table: table.name, row: table.toRow(span, maxLengthOf(opts.attributeMaxLength)) } as RoutedRow;
}

/** The span's activity kind: the attribute when it names a known kind, else inferred for plain HTTP spans. */
export function kindOf(span: ActivitySpan): ActivityKind | undefined {
  const attributes = span.attributes ?? {};
  const declared = attributes[ATTR_ACTIVITY_KIND];
  if (declared !== undefined) {
    // An unknown kind (from a newer SDK) is ignored rather than guessed at.
    return ROW_TABLE_BY_KIND.has(declared as ActivityKind) ? (declared as ActivityKind) : undefined;
  }
  // A GenAI instrumentation's span for a model call (gen_ai.provider.name, or the deprecated gen_ai.system).
  if (span.kind === SPAN_KIND_CLIENT && (attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined || attributes[ATTR_GEN_AI_SYSTEM_LEGACY] !== undefined)) {
    return 'external';
  }
  const isHttp = METHOD_KEYS.some((key) => attributes[key] !== undefined);
  if (!isHttp) return undefined;
  if (span.kind === SPAN_KIND_SERVER) return 'access';
  if (span.kind === SPAN_KIND_CLIENT) return 'external';
  return undefined;
}

function maxLengthOf(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value)) return DEFAULT_ATTRIBUTE_MAX_LENGTH;
  return Math.max(MIN_MAX_LENGTH, Math.floor(value));
}
