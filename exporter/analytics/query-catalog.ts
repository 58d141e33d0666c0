/**
 * The named queries in schemas/queries/*.sql: reads each file's header (name, answers, params), validates and converts
 * user-supplied parameter values, and runs them through a Sink with every value bound server-side, never spliced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { QueryEngine } from '../sinks/query-engine';
import { parseTimeArgument } from './since';
import { packageAsset } from '../package-assets';

export interface QueryParam {
  readonly name: string;
  /** ClickHouse type as written in the SQL, e.g. String, UInt32, DateTime64(3, 'UTC'). */
  readonly type: string;
  /** Text default from the header (`limit UInt32 = 20`); undefined means required. */
  readonly defaultValue?: string;
}

export interface NamedQuery {
  readonly name: string;
  readonly answers: string;
  readonly params: readonly QueryParam[];
  /** 'rollup' when the query reads a rollup table (day granularity), else 'raw'. */
  readonly source: 'rollup' | 'raw';
  readonly file: string;
  readonly sql: string;
}

/** A report's rows and whether it stopped at its `limit` parameter (more rows exist past `limit`). */
export interface ReportPage<T = Record<string, unknown>> {
  readonly rows: T[];
  /** The bound `limit`, or null for a report without one. */
  readonly limit: number | null;
  /** The bound `offset` (rows skipped, for paging), 0 for a report without one. */
  readonly offset: number;
  readonly truncated: boolean;
}

/** A final `LIMIT {limit:UInt32}` caps the whole result; `LIMIT {limit:UInt32} BY x` caps each group instead. */
const FINAL_LIMIT = /LIMIT\s+\{limit:UInt32\}(\s+OFFSET\s+\{offset:UInt32\})?\s*$/;

export class QueryCatalogError extends Error {
  override readonly name = 'QueryCatalogError';
}

// Time parameters name their zone ('UTC'): a zone-less DateTime64 is read in the engine's session time zone, so the
// same --from meant another instant under TZ=America/Los_Angeles or on a server set to another zone.
const SUPPORTED_TYPE = /^(String|LowCardinality\(String\)|U?Int(8|16|32|64)|Float(32|64)|Date|DateTime|DateTime64\(\d(, ?'UTC')?\)|Bool)$/;

export function findSchemasDir(kind: 'queries' | 'alerts' | 'migrations'): string {
  return packageAsset(`schemas/${kind}`);
}

/** Splits "a String, b DateTime64(3) = '', c UInt32 = 20" on top-level commas. */
function splitParams(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === ',') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

export function parseQueryFile(file: string, sql: string): NamedQuery {
  const header = new Map<string, string>();
  for (const line of sql.split('\n')) {
    const match = /^--\s*(name|answers|params|source):\s*(.*)$/.exec(line.trim());
    if (match) header.set(match[1], [header.get(match[1]), match[2].trim()].filter(Boolean).join(' '));
  }
  const base = path.basename(file, '.sql');
  const name = header.get('name');
  if (name !== base) throw new QueryCatalogError(`${file}: header "-- name: ${name ?? ''}" must equal the file name "${base}"`);
  const params = splitParams(header.get('params') ?? '').map((part): QueryParam => {
    const match = /^(\w+)\s+(\w+(?:\([^)]*\))?)(?:\s*=\s*(.*))?$/.exec(part);
    if (!match) throw new QueryCatalogError(`${file}: cannot read parameter "${part}"; write it as "name Type" or "name Type = default"`);
    if (!SUPPORTED_TYPE.test(match[2])) throw new QueryCatalogError(`${file}: parameter ${match[1]} has unsupported type ${match[2]}`);
    const raw = match[3]?.trim();
    const defaultValue = raw === undefined ? undefined : raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
    return { name: match[1], type: match[2], defaultValue };
  });
  for (const p of params) {
    if (!sql.includes(`{${p.name}:`)) throw new QueryCatalogError(`${file}: parameter ${p.name} is declared but not used as {${p.name}:${p.type}}`);
  }
  const source = header.get('source') === 'rollup' ? 'rollup' : 'raw';
  return { name, answers: header.get('answers') ?? '', params, source, file, sql };
}

export class QueryCatalog {
  private readonly queries: Map<string, NamedQuery>;

  constructor(queries: readonly NamedQuery[]) {
    this.queries = new Map(queries.map((q) => [q.name, q]));
  }

  static load(dir: string = findSchemasDir('queries')): QueryCatalog {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
    return new QueryCatalog(files.map((f) => parseQueryFile(path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8'))));
  }

  list(): NamedQuery[] {
    return [...this.queries.values()];
  }

  get(name: string): NamedQuery {
    const query = this.queries.get(name);
    if (!query) {
      const near = this.list().filter((q) => q.name.includes(name) || name.includes(q.name)).map((q) => q.name);
      throw new QueryCatalogError(
        `no report named "${name}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (run "otel-activity reports" for the list)`,
      );
    }
    return query;
  }

  /** Validates `values` (text from the command line or a URL) against the header and converts them for binding. */
  bind(name: string, values: Readonly<Record<string, string | undefined>>): Record<string, string | number | boolean> {
    const query = this.get(name);
    const known = new Set(query.params.map((p) => p.name));
    for (const key of Object.keys(values)) {
      if (values[key] !== undefined && !known.has(key)) {
        throw new QueryCatalogError(
          `report ${name} has no parameter "${key}"; its parameters are ${query.params.map((p) => p.name).join(', ') || '(none)'}`,
        );
      }
    }
    const bound: Record<string, string | number | boolean> = {};
    for (const param of query.params) {
      const text = values[param.name] ?? param.defaultValue;
      if (text === undefined) throw new QueryCatalogError(`report ${name} needs --param ${param.name}=<${param.type}>`);
      bound[param.name] = convertParam(name, param, text);
    }
    return bound;
  }

  async run<T = Record<string, unknown>>(sink: QueryEngine, name: string, values: Readonly<Record<string, string | undefined>>): Promise<T[]> {
    const params = this.bind(name, values);
    return sink.query<T>(this.get(name).sql, params);
  }

  /**
   * Runs a report and says whether it stopped at its limit: one row more than `limit` is asked for, so a report
   * that has exactly `limit` rows is not reported as cut. Per-group limits (`LIMIT n BY`) are not totals: never cut.
   */
  async runReport<T = Record<string, unknown>>(sink: QueryEngine, name: string, values: Readonly<Record<string, string | undefined>>): Promise<ReportPage<T>> {
    const params = this.bind(name, values);
    const query = this.get(name);
    const offset = typeof params.offset === 'number' ? params.offset : 0;
    if (typeof params.limit !== 'number' || !FINAL_LIMIT.test(query.sql.trim())) {
      return { rows: await sink.query<T>(query.sql, params), limit: typeof params.limit === 'number' ? params.limit : null, offset, truncated: false };
    }
    const limit = params.limit;
    const rows = await sink.query<T>(query.sql, { ...params, limit: limit + 1 });
    return { rows: rows.slice(0, limit), limit, offset, truncated: rows.length > limit };
  }
}

function convertParam(query: string, param: QueryParam, text: string): string | number | boolean {
  const where = `report ${query}: parameter ${param.name} (${param.type})`;
  if (/Int|Float/.test(param.type)) {
    const n = Number(text);
    const integer = /Int/.test(param.type);
    if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || (/^UInt/.test(param.type) && n < 0)) {
      throw new QueryCatalogError(`${where} must be ${integer ? 'a whole number' : 'a number'}${/^UInt/.test(param.type) ? ' ≥ 0' : ''}, got "${text}"`);
    }
    return n;
  }
  if (param.type === 'Bool') {
    if (!/^(true|false|1|0)$/i.test(text)) throw new QueryCatalogError(`${where} must be true or false, got "${text}"`);
    return /^(true|1)$/i.test(text);
  }
  if (/^Date/.test(param.type)) {
    try {
      const value = parseTimeArgument(text, param.name);
      return param.type === 'Date' ? value.slice(0, 10) : param.type === 'DateTime' ? value.slice(0, 19) : value;
    } catch (error) {
      throw new QueryCatalogError(`${where}: ${(error as Error).message}`);
    }
  }
  return text;
}
