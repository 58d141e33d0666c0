// Debian's clickhouse-server on loopback for the tests; the bench starts it the same way (bench/lib/clickhouse-server.ts).
export { clickhouseServerBinary, createClickHouseServer, type ClickHouseServerOptions, type TestClickHouseServer } from '../../bench/lib/clickhouse-server';
