/**
 * GET /api/activities: custom activities for admin views and scripts, read with the viewer or admin token through the
 * named `activities` report, so the endpoint and `otel-activity report activities` answer from the same SQL.
 */
import type { ReportPage } from '../analytics/query-catalog';
import { QueryCatalogError, type QueryCatalog } from '../analytics/query-catalog';
import { resolveWindow } from '../analytics/since';
import type { QueryEngine } from '../sinks/query-engine';

/** A page holds at most this many activities; more is paging (offset), not one answer of unbounded size. */
export const MAX_ACTIVITIES_PAGE = 1000;

/** URL parameter → the report's parameter. `user_id` is the column's name, as in POST /v1/activities bodies. */
const FILTERS: Readonly<Record<string, string>> = {
  user_id: 'user',
  action: 'action',
  resource_type: 'resource_type',
  resource_id: 'resource_id',
  service: 'service',
  include_audit: 'include_audit',
  limit: 'limit',
  offset: 'offset',
};
const WINDOW = ['since', 'from', 'to'];

export interface ActivitiesRequest {
  readonly window: { readonly from: string; readonly to: string };
  /** The report's parameters as text, for runReport. */
  readonly values: Readonly<Record<string, string>>;
  /** The same, validated and converted (what the audit row records). */
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

export interface ActivitiesPage extends ReportPage {
  readonly from: string;
  readonly to: string;
}

/** Bad parameters (answered 400) from the URL; the message names what was wrong and what is accepted. */
export class ActivitiesQueryError extends Error {
  override readonly name = 'ActivitiesQueryError';
}

/**
 * The `activities` report's bound parameters for a query string, validated (the window defaults to the last 24
 * hours, as reports do); throws ActivitiesQueryError before anything is read or audited.
 */
export function activitiesReportParams(catalog: QueryCatalog, search: URLSearchParams, now: Date = new Date()): ActivitiesRequest {
  const values: Record<string, string> = {};
  for (const [key, value] of search) {
    if (WINDOW.includes(key)) continue;
    const param = FILTERS[key];
    if (param === undefined) throw new ActivitiesQueryError(`GET /api/activities has no parameter "${key}"; its parameters are ${[...Object.keys(FILTERS), ...WINDOW].join(', ')}`);
    values[param] = value;
  }
  if (values.limit !== undefined && Number(values.limit) > MAX_ACTIVITIES_PAGE) {
    throw new ActivitiesQueryError(`limit must be at most ${MAX_ACTIVITIES_PAGE} per page, got "${values.limit}"; read further pages with offset`);
  }
  try {
    const window = resolveWindow({ since: search.get('since') || undefined, from: search.get('from') || undefined, to: search.get('to') || undefined }, now);
    const text = { ...values, ...window };
    return { window, values: text, params: catalog.bind('activities', text) };
  } catch (error) {
    if (error instanceof RangeError) throw new ActivitiesQueryError(error.message.replace(/--(since|from|to)\b/g, '$1'));
    if (error instanceof QueryCatalogError) throw new ActivitiesQueryError(error.message.replace(/^report activities: parameter user\b/, 'report activities: parameter user_id'));
    throw error;
  }
}

/** One page of activities, newest first, and whether more follow (`truncated`: ask again with offset + limit). */
export async function readActivities(engine: QueryEngine, catalog: QueryCatalog, request: ActivitiesRequest): Promise<ActivitiesPage> {
  return { ...request.window, ...(await catalog.runReport(engine, 'activities', request.values)) };
}
