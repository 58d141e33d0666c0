/**
 * Routes an activity span to its table and maps it: `activity.kind` decides (access, auth, external, custom);
 * spans without it still map when they look like HTTP (SERVER → access_log, CLIENT → external_calls) or are a
 * GenAI client span (CLIENT with gen_ai.provider.name → external_calls), so spans from stock OTel SDKs land too.
 * Everything else (internal, DB, messaging spans) is undefined: ignored, not an error.
 */
import { ATTR_ACTIVITY_KIND, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM_LEGACY, type ActivityKind } from '../../sdk/attributes';
import type { ActivitySpan } from '../activity-span';
import { DEFAULT_ATTRIBUTE_MAX_LENGTH } from './attribute-values';
import { METHOD_KEYS } from './http-fields';
import type { AccessRow, ActivityRow, AuthRow, ExternalCallRow } from './row-types';
import { spanToAccessRow } from './span-to-access-row';
import { spanToActivityRow } from './span-to-activity-row';
import { spanToAuthRow } from './span-to-auth-row';
import { spanToExternalRow } from './span-to-external-row';

export interface MappingOptions {
  /** Cap for every string value, in UTF-16 units (default 4096, the SDK's attributeMaxLength default). */
  readonly attributeMaxLength?: number;
}

export type RoutedRow =
  | { readonly table: 'access_log'; readonly row: AccessRow }
  | { readonly table: 'auth_events'; readonly row: AuthRow }
  | { readonly table: 'external_calls'; readonly row: ExternalCallRow }
  | { readonly table: 'activities'; readonly row: ActivityRow };

const SPAN_KIND_SERVER = 1;
const SPAN_KIND_CLIENT = 2;
/** Below this, capped values stop being useful for anything (ids, routes); matches the config's minimum. */
const MIN_MAX_LENGTH = 64;

export function spanToRow(span: ActivitySpan, opts: MappingOptions = {}): RoutedRow | undefined {
  const maxLength = maxLengthOf(opts.attributeMaxLength);
  switch (kindOf(span)) {
    case 'access':
      return { table: 'access_log', row: spanToAccessRow(span, maxLength) };
    case 'auth':
      return { table: 'auth_events', row: spanToAuthRow(span, maxLength) };
    case 'external':
      return { table: 'external_calls', row: spanToExternalRow(span, maxLength) };
    case 'custom':
      return { table: 'activities', row: spanToActivityRow(span, maxLength) };
    default:
      return undefined;
  }
}

/** The span's activity kind: the attribute when it names a known kind, else inferred for plain HTTP spans. */
export function kindOf(span: ActivitySpan): ActivityKind | undefined {
  const attributes = span.attributes ?? {};
  const declared = attributes[ATTR_ACTIVITY_KIND];
  if (declared !== undefined) {
    // An unknown kind (from a newer SDK) is ignored rather than guessed at.
    return declared === 'access' || declared === 'auth' || declared === 'external' || declared === 'custom' ? declared : undefined;
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
