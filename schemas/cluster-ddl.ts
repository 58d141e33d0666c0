/**
 * Turns the single-node DDL into its cluster form, so one set of migrations serves both: every table becomes
 * `<name>_local ON CLUSTER` with a Replicated* engine, plus a Distributed table under the original name that
 * reads all shards and routes inserts; materialized views run on each node, from local table to local table.
 * Apps, the exporter and the named queries keep using the original names. See schemas/README.md.
 */
import { tableDescriptor } from '../exporter/rows/table-registry';
import { parseDrop, withoutLeadingComments } from './sql-statements';

export const LOCAL_SUFFIX = '_local';

const CREATE_TABLE_RE = /^(CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)([A-Za-z_][A-Za-z0-9_]*)\b/i;
const CREATE_MV_RE = /^(CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?)([A-Za-z_][A-Za-z0-9_]*)\b/i;
const ALTER_TABLE_RE = /^(ALTER\s+TABLE\s+)([A-Za-z_][A-Za-z0-9_]*)\b/i;
const MODIFY_QUERY_RE = /^\s*ALTER\s+TABLE\s+\S+\s+MODIFY\s+QUERY\b/i;
const COLUMN_CHANGE_RE = /^\s*ALTER\s+TABLE\s+\S+\s+(ADD|DROP|MODIFY|RENAME|COMMENT)\s+COLUMN\b/i;
/** `MODIFY COLUMN name CODEC(…)` without a type: how the column is stored, which only local tables do. */
const CODEC_CHANGE_RE = /^\s*ALTER\s+TABLE\s+\S+\s+MODIFY\s+COLUMN\s+\S+\s+CODEC\s*\(/i;
/** `ENGINE = XMergeTree` or `ENGINE = XMergeTree(args)`. */
const ENGINE_RE = /\bENGINE\s*=\s*(\w*MergeTree)\b(\s*\(([^()]*)\))?/i;
const CLUSTER_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function validateClusterName(cluster: string): string {
  if (!CLUSTER_NAME_RE.test(cluster)) {
    throw new RangeError(`cluster must be a cluster name from the server's remote_servers config (letters, digits, _ . -), got ${JSON.stringify(cluster)}`);
  }
  return cluster;
}

/**
 * The cluster form of one single-node statement (output of splitSqlStatements, TTL slots already filled):
 * one or two statements, in the order they must run.
 */
export function clusterDdl(statement: string, cluster: string): string[] {
  const on = `ON CLUSTER \`${validateClusterName(cluster)}\``;
  const sql = withoutLeadingComments(statement);

  const table = CREATE_TABLE_RE.exec(sql);
  if (table) {
    const [, head, name] = table;
    const local = name + LOCAL_SUFFIX;
    const engine = ENGINE_RE.exec(sql);
    if (!engine) throw new Error(`clusterDdl: CREATE TABLE ${name} has no *MergeTree engine to replicate`);
    const [, engineName, , args] = engine;
    // {shard}/{replica} are macros every replicated cluster defines; {database}/{table} keep paths unique.
    const replicatedArgs = [`'/clickhouse/tables/{shard}/{database}/${local}'`, `'{replica}'`, ...(args?.trim() ? [args.trim()] : [])];
    const localSql = sql
      .replace(CREATE_TABLE_RE, `${head}${local} ${on}`)
      .replace(ENGINE_RE, `ENGINE = Replicated${engineName}(${replicatedArgs.join(', ')})`);
    // Inserts through the Distributed table go to the shard this picks; each table's key is in the registry.
    const shardingKey = tableDescriptor(name)?.shardingKey ?? 'rand()';
    const distributedSql = `${head}${name} ${on} AS ${local}\nENGINE = Distributed(\`${cluster}\`, currentDatabase(), ${local}, ${shardingKey})`;
    return [localSql, distributedSql];
  }

  const view = CREATE_MV_RE.exec(sql);
  if (view) {
    const [, head, name] = view;
    // Inserts arrive on each shard's local table; the view there writes into the local rollup next to it.
    const localSql = sql
      .replace(CREATE_MV_RE, `${head}${name} ${on}`)
      .replace(/\b(TO|FROM|JOIN)(\s+)([A-Za-z_][A-Za-z0-9_]*)\b/gi, toLocal);
    return [localSql];
  }

  const alter = ALTER_TABLE_RE.exec(sql);
  if (alter) {
    const [, head, name] = alter;
    // A view keeps its name on every node (see CREATE MATERIALIZED VIEW above); its new query reads local tables.
    if (MODIFY_QUERY_RE.test(sql)) {
      return [sql.replace(ALTER_TABLE_RE, `${head}${name} ${on}`).replace(/\b(FROM|JOIN)(\s+)([A-Za-z_][A-Za-z0-9_]*)\b/gi, toLocal)];
    }
    const local = sql.replace(ALTER_TABLE_RE, `${head}${name}${LOCAL_SUFFIX} ${on}`);
    // The Distributed table mirrors the columns of the local one; indexes, TTL, settings and codecs live only locally.
    const columnChange = COLUMN_CHANGE_RE.test(sql) && !CODEC_CHANGE_RE.test(sql);
    return columnChange ? [local, sql.replace(ALTER_TABLE_RE, `${head}${name} ${on}`)] : [local];
  }

  // Only a bare DROP has a known cluster form; one with more after the name (SYNC, …) falls through to the error.
  const drop = parseDrop(sql);
  if (drop && drop.rest === '') {
    const head = `DROP ${drop.kind} ${drop.ifExists ? 'IF EXISTS ' : ''}`;
    // A view is one object per node; a table is the Distributed one and the local one under it, dropped in that order.
    if (drop.kind === 'VIEW') return [`${head}${drop.name} ${on}`];
    return [`${head}${drop.name} ${on}`, `${head}${drop.name}${LOCAL_SUFFIX} ${on}`];
  }

  // A backfill (INSERT … SELECT) runs once, from and into the Distributed tables, which route its rows to the shards.
  if (/^INSERT\s+INTO\b/i.test(sql)) return [sql];

  throw new Error(`clusterDdl: no cluster form for statement: ${sql.slice(0, 120)}`);
}

function toLocal(_match: string, keyword: string, space: string, target: string): string {
  return `${keyword}${space}${target}${LOCAL_SUFFIX}`;
}
