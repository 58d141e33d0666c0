/**
 * Ad-hoc SQL for tokens of the service (POST /api/query): one SELECT over the activity tables, nothing else. The engine
 * parses and checks it before it runs, and it runs with readonly=1 and resource caps as SETTINGS of the query itself.
 */
import type { QueryEngine, QueryParams } from '../sinks/query-engine';
import { QUERYABLE_TABLE_NAMES } from '../rows/table-registry';

export interface ReadOnlyQueryLimits {
  readonly maxExecutionSeconds: number;
  readonly maxResultRows: number;
  readonly maxResultBytes: number;
  readonly maxMemoryBytes: number;
}

/** The statement is not a read of the activity tables; the message says what was refused. HTTP 403. */
export class ForbiddenQueryError extends Error {
  override readonly name = 'ForbiddenQueryError';
}

/** Tables a query may read: the raw activity tables, their rollups and alerts. Not schema_migrations, not system.*. */
export const QUERYABLE_TABLES: ReadonlySet<string> = new Set(QUERYABLE_TABLE_NAMES);

/**
 * Functions that reach outside the rows: files, the network (ai*), dictionaries and join tables (other data), server
 * and session settings, the host, introspection, side effects (logTrace, generateSerialID) and sleeps. readonly=1 does
 * not stop these (chDB 3.4 returns /etc/passwd from the scalar file() under readonly=1), so they are refused by name.
 */
const FORBIDDEN_FUNCTIONS = new Set(
  [
    'file', 'catboostEvaluate', 'evalMLMethod', 'getSetting', 'getSettingOrDefault', 'getServerSetting', 'getMergeTreeSetting',
    'currentProfiles', 'enabledProfiles', 'defaultProfiles', 'currentRoles', 'enabledRoles', 'defaultRoles', 'getMacro',
    'getClientHTTPHeader', 'showCertificate', 'logTrace', 'generateSerialID', 'sleep', 'sleepEachRow', 'demangle', 'trap',
    'hasColumnInTable', 'zookeeperSessionUptime', 'globalVariable', 'fuzzQuery', 'hostName', 'fullHostName', 'tcpPort',
    'getServerPort', 'serverUUID', 'uptime', 'buildId', 'shardNum', 'shardCount', 'getMaxTableNameLengthForDatabase',
    'transactionID', 'transactionLatestSnapshot', 'transactionOldestSnapshot',
  ].map((name) => name.toLowerCase()),
);
const FORBIDDEN_FUNCTION_PREFIXES = ['dict', 'joinget', 'filesystem', 'naivebayes', 'addressto', 'ai'];

export function isForbiddenFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return FORBIDDEN_FUNCTIONS.has(lower) || FORBIDDEN_FUNCTION_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * Checks `sql` and runs it read-only under `limits`. Throws ForbiddenQueryError for anything but one SELECT over
 * QUERYABLE_TABLES; engine errors (syntax, unknown column, a limit reached) are thrown as the sink reports them.
 */
export async function runReadOnlyQuery<T = Record<string, unknown>>(sink: QueryEngine, sql: string, params: QueryParams, limits: ReadOnlyQueryLimits): Promise<T[]> {
  const statement = await canonicalStatement(sink, sql);
  const ast = (await sink.query<{ explain: string }>(`EXPLAIN AST ${statement}`, params)).map((row) => row.explain);
  checkSyntaxTree(ast);
  const bounded = withLimits(statement, limits);
  // Only now, with no forbidden function left in it, may the analyzer see it: it folds constants and runs scalar
  // subqueries while it resolves the tables.
  let tree: string[];
  try {
    tree = (await sink.query<{ explain: string }>(`EXPLAIN QUERY TREE ${bounded}`, params)).map((row) => row.explain);
  } catch (error) {
    // Whether a table outside the list exists is not for this caller to learn.
    const code = (error as { code?: unknown }).code;
    if (code === UNKNOWN_TABLE || code === UNKNOWN_DATABASE) throw new ForbiddenQueryError(`a table in the query is not readable here; tables: ${[...QUERYABLE_TABLES].join(', ')}`);
    throw error;
  }
  checkQueryTree(tree, await currentDatabase(sink));
  return sink.query<T>(bounded, params);
}

/**
 * The engine's own parser formats the text back as exactly one statement without comments: a second statement (chDB
 * runs `SELECT 1; DROP TABLE t` as two) fails here, and what the checks below read is what will run.
 */
async function canonicalStatement(sink: QueryEngine, sql: string): Promise<string> {
  let rows: Array<{ q: string }>;
  try {
    rows = await sink.query<{ q: string }>('SELECT formatQuerySingleLine({sql:String}) AS q', { sql });
  } catch (error) {
    const message = (error as Error).message;
    if (/Multi-statements are not allowed/i.test(message)) throw new ForbiddenQueryError('one statement per query: multi-statements are not allowed');
    // Fails closed on servers without the parser function: no check, no ad-hoc SQL.
    if ((error as { code?: unknown }).code === UNKNOWN_FUNCTION) {
      throw new ForbiddenQueryError('ad-hoc SQL needs ClickHouse 24.3 or newer (formatQuerySingleLine, EXPLAIN QUERY TREE) to be checked; the named reports work on this server');
    }
    throw new ForbiddenQueryError(`the SQL does not parse: ${message.replace(/: In scope SELECT formatQuerySingleLine[\s\S]*$/, '')}`);
  }
  const statement = rows[0]?.q ?? '';
  if (statement === '') throw new ForbiddenQueryError('empty statement');
  return statement;
}

/** Reads EXPLAIN AST lines (one space of indent per level). */
function checkSyntaxTree(lines: ReadonlyArray<string>): void {
  const nodes = lines.filter((line) => line.trim() !== '').map((line) => ({ depth: line.length - line.trimStart().length, text: line.trim() }));
  const top = nodes[0]?.text ?? '';
  if (!/^SelectWithUnionQuery \(children 1\)$/.test(top)) {
    const kind = top.split(' ')[0] ?? 'nothing';
    if (/^SelectWithUnionQuery/.test(top)) throw new ForbiddenQueryError('FORMAT and INTO OUTFILE are not allowed: the service returns the rows as JSON');
    throw new ForbiddenQueryError(`only a SELECT is allowed, got ${kind} (DDL, INSERT, DELETE, SET, SYSTEM, SHOW … are refused)`);
  }
  for (let i = 0; i < nodes.length; i++) {
    const { depth, text } = nodes[i]!;
    if (text === 'Set' || text.startsWith('Set ')) throw new ForbiddenQueryError('SETTINGS clauses are not allowed: the service sets the query limits');
    const fn = /^Function (\S+)/.exec(text);
    if (fn && isForbiddenFunction(fn[1]!)) throw new ForbiddenQueryError(`function ${fn[1]}() is not allowed: it reaches outside the activity tables`);
    if (text.startsWith('TableExpression')) {
      const child = nodes[i + 1];
      if (child && child.depth === depth + 1 && child.text.startsWith('Function ')) {
        const name = /^Function (\S+)/.exec(child.text)?.[1] ?? '';
        throw new ForbiddenQueryError(`table function ${name}() is not allowed: read the activity tables (${[...QUERYABLE_TABLES].join(', ')})`);
      }
    }
  }
}

/** Reads EXPLAIN QUERY TREE lines: every table the analyzer resolved (FROM, JOIN, IN, CTEs, subqueries). */
function checkQueryTree(lines: ReadonlyArray<string>, database: string): void {
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('TABLE_FUNCTION')) throw new ForbiddenQueryError('table functions are not allowed');
    const fn = /^FUNCTION id: \d+, function_name: ([^,]+),/.exec(line);
    if (fn && isForbiddenFunction(fn[1]!)) throw new ForbiddenQueryError(`function ${fn[1]}() is not allowed: it reaches outside the activity tables`);
    if (!/^TABLE id: \d+/.test(line)) continue;
    // table_name comes last on the line, after any alias, so an alias cannot pose as one.
    const table = /, table_name: (.+)$/.exec(line)?.[1] ?? '';
    const dot = table.indexOf('.');
    const db = table.slice(0, dot);
    const name = table.slice(dot + 1);
    // system.one is the implicit table of a SELECT without FROM: one row, one zero.
    if (table === 'system.one') continue;
    if (dot < 0 || db !== database || !QUERYABLE_TABLES.has(name)) {
      throw new ForbiddenQueryError(`table ${table || '(unknown)'} is not readable here; tables: ${[...QUERYABLE_TABLES].join(', ')}`);
    }
  }
}

/**
 * The caps as SETTINGS of an outer SELECT: they then bind to the whole statement (a trailing SETTINGS of a UNION binds
 * to its last SELECT only), and the outer LIMIT makes max_result_rows hold for rows that arrayJoin makes after the
 * source's limit check (chDB 3.4 returns 5,000 rows of `SELECT arrayJoin(range(5000))` under max_result_rows = 1000).
 */
function withLimits(statement: string, limits: ReadOnlyQueryLimits): string {
  const maxRows = Math.floor(limits.maxResultRows);
  const settings = [
    'readonly = 1',
    `max_execution_time = ${Math.max(1, Math.floor(limits.maxExecutionSeconds))}`,
    `max_result_rows = ${maxRows}`,
    `max_result_bytes = ${Math.floor(limits.maxResultBytes)}`,
    "result_overflow_mode = 'throw'",
    `max_memory_usage = ${Math.floor(limits.maxMemoryBytes)}`,
  ].join(', ');
  return `SELECT * FROM (${statement}) LIMIT ${maxRows + 1} SETTINGS ${settings}`;
}

const UNKNOWN_FUNCTION = 46;
const UNKNOWN_TABLE = 60;
const UNKNOWN_DATABASE = 81;

const databases = new WeakMap<QueryEngine, string>();

async function currentDatabase(sink: QueryEngine): Promise<string> {
  let db = databases.get(sink);
  if (db === undefined) {
    db = (await sink.query<{ db: string }>('SELECT currentDatabase() AS db'))[0]?.db ?? 'default';
    databases.set(sink, db);
  }
  return db;
}
