/**
 * Two `otel-activity serve` processes writing to one real clickhouse-server (Debian's 18.16, with the compatible
 * tables of bench/lib/compatible-tables.ts): the rows add up exactly, a batch resent to the same service is stored
 * once, and a service with `migrate` off creates no table (its user would need only INSERT and SELECT).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpans } from '../bench/lib/otlp-payloads';
import {
  COMPATIBLE_TABLE_NAMES,
  compatibleSchemaDdl,
  countsSql,
  expectedRows,
  parseCounts,
  SERVER_PROFILE,
  type CompatibleTable,
} from '../bench/lib/compatible-tables';
import { ConfigError, loadConfig } from '../exporter/config';
import { createClickHouseServer, type TestClickHouseServer } from './helpers/clickhouse-server';
import { CONTENT_TYPE } from '../bench/lib/hand-made-span';
import { encodeSpans, post } from './helpers/otlp-sender';
import { createService, requireBuiltCli, type ServiceProcess } from './helpers/service-process';

const DATABASE = 'scale_out';
const SPANS_PER_SERVICE = 2_000;
const BATCH = 500;
const PROTOBUF = { contentType: CONTENT_TYPE.protobuf };

let server: TestClickHouseServer;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  requireBuiltCli();
  server = await createClickHouseServer({ profile: SERVER_PROFILE });
  await server.start();
  for (const statement of compatibleSchemaDdl(DATABASE)) await server.query(statement);
  const env = {
    OTEL_ACTIVITY_CLICKHOUSE_URL: server.url,
    OTEL_ACTIVITY_CLICKHOUSE_USER: server.user,
    OTEL_ACTIVITY_CLICKHOUSE_PASSWORD: server.password,
    OTEL_ACTIVITY_CLICKHOUSE_DATABASE: DATABASE,
    OTEL_ACTIVITY_MIGRATE: 'false',
    // The alert rules' SQL needs a current ClickHouse and the real schema.
    OTEL_ACTIVITY_ALERT_INTERVAL_MS: '0',
    OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '50',
  };
  for (let i = 0; i < 2; i++) services.push(await createService({ env }));
  await Promise.all(services.map((service) => service.start()));
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.dispose()));
  await server?.dispose();
}, 30_000);

describe('two services, one clickhouse-server', () => {
  it('store every span exactly once, a batch resent to the same service included', async () => {
    const spans = services.map((_, i) => makeSpans(0x5ca1 + i, 0, SPANS_PER_SERVICE));
    const statuses = await Promise.all(
      services.map(async (service, i) => {
        const answered: number[] = [];
        for (let first = 0; first < SPANS_PER_SERVICE; first += BATCH) {
          answered.push((await post(service.tracesUrl, encodeSpans(spans[i]!.slice(first, first + BATCH), 'protobuf'), PROTOBUF)).status);
        }
        // The sender did not see the answer to its first batch and sends it again, to the same service.
        answered.push((await post(service.tracesUrl, encodeSpans(spans[i]!.slice(0, BATCH), 'protobuf'), PROTOBUF)).status);
        return answered;
      }),
    );
    expect(statuses).toEqual([Array(5).fill(200), Array(5).fill(200)]);

    // Each 200 came after the rows were durable; the server shows them at once, but a merge may still be pending.
    const expected = expectedRows(spans.flat());
    expect(expected.auth_events).toBeGreaterThan(0);
    expect(expected.external_calls).toBeGreaterThan(0);
    const counts = parseCounts((await server.query<Record<string, string>>(countsSql(DATABASE)))[0]!);
    for (const table of COMPATIBLE_TABLE_NAMES) {
      // spans: count() FINAL, one per span id; rows: count(), what was written. A resend stored twice shows as rows > spans.
      expect({ table, ...counts[table] }).toEqual({ table, rows: expected[table], spans: expected[table] });
    }
    const total = COMPATIBLE_TABLE_NAMES.reduce((sum, table: CompatibleTable) => sum + counts[table].spans, 0);
    expect(total).toBe(2 * SPANS_PER_SERVICE);

    // The resent batch was taken out by the service's recent span ids, not by the table.
    for (const service of services) {
      const metrics = await service.metrics();
      expect(metrics).toMatchObject({ spansReceived: SPANS_PER_SERVICE + BATCH, accepted: SPANS_PER_SERVICE, droppedTotal: 0 });
    }
  });

  it('with migrate off, create no table and say once each what 18.16 lacks', async () => {
    const tables = (await server.query<{ name: string }>(`SHOW TABLES FROM ${DATABASE}`)).map((row) => row.name).sort();
    expect(tables).toEqual([...COMPATIBLE_TABLE_NAMES].sort());
    for (const service of services) {
      const output = service.output();
      expect(output).not.toMatch(/migrations failed/);
      expect(output.match(/does not support insert_deduplication_token/g)).toHaveLength(1);
      // A first start looks stored ids up; 18.16 has no query parameters, which turns the lookup off.
      expect(output.match(/cannot look up stored span ids/g)).toHaveLength(1);
    }
  });

  it('reads OTEL_ACTIVITY_MIGRATE as a boolean and names a wrong value', () => {
    expect(loadConfig({ env: {} }).exporter.migrate).toBe(true);
    expect(loadConfig({ env: { OTEL_ACTIVITY_MIGRATE: 'false' } }).exporter.migrate).toBe(false);
    expect(() => loadConfig({ env: { OTEL_ACTIVITY_MIGRATE: 'sometimes' } })).toThrow(
      new ConfigError('OTEL_ACTIVITY_MIGRATE must be true or false, got "sometimes"'),
    );
  });
});
