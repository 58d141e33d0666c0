/**
 * Starts Debian's real clickhouse-server (18.16) on loopback with free ports, a temp config dir and a password user;
 * start(), kill() (SIGKILL) and restart() on the same data directory. For the transport tests of HttpSink and the
 * scale-out bench (test/helpers/clickhouse-server.ts re-exports it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';

const CANDIDATES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', '/usr/bin/clickhouse'];

/** The server binary, or undefined when none is installed (.ci/run installs the Debian package). */
export function clickhouseServerBinary(): string | undefined {
  return CANDIDATES.find((p) => fs.existsSync(p));
}

export interface TestClickHouseServer {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly dir: string;
  /** Starts (or restarts) the server on the same ports and data; resolves when /ping answers. */
  start(): Promise<void>;
  /** SIGKILL, no clean shutdown; resolves when the process is gone. */
  kill(): Promise<void>;
  /** Kills if running and removes the temp directory. */
  dispose(): Promise<void>;
  /** The server's log (for failure messages). */
  log(): string;
  /** The running server's process id (for CPU readings), undefined when stopped. */
  pid(): number | undefined;
  /** Runs one statement as the configured user over HTTP; a SELECT's rows (JSONEachRow), [] for anything else. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
}

export interface ClickHouseServerOptions {
  readonly user?: string;
  readonly password?: string;
  /** Settings of the user's profile, e.g. { input_format_skip_unknown_fields: '1' }. */
  readonly profile?: Readonly<Record<string, string>>;
}

/** clickhouse-server cannot be told to bind port 0: a port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function createClickHouseServer(options: ClickHouseServerOptions = {}): Promise<TestClickHouseServer> {
  const binary = clickhouseServerBinary();
  if (!binary) throw new Error('clickhouse-server is not installed (apt-get install clickhouse-server)');
  const user = options.user ?? 'writer';
  const password = options.password ?? 'w-secret';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-chserver-'));
  const httpPort = await freePort();
  const tcpPort = await freePort();
  for (const sub of ['data', 'tmp', 'user_files']) fs.mkdirSync(path.join(dir, sub));
  fs.writeFileSync(
    path.join(dir, 'config.xml'),
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709120</mark_cache_size>
</yandex>
`,
  );
  fs.writeFileSync(
    path.join(dir, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default>${Object.entries(options.profile ?? {}).map(([name, value]) => `<${name}>${value}</${name}>`).join('')}</default></profiles>
  <users>
    <${user}>
      <password>${password}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${user}>
  </users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;

  async function answersPing(): Promise<boolean> {
    if (child?.exitCode !== null && child?.exitCode !== undefined) throw new Error(`clickhouse-server exited with ${child.exitCode}:\n${server.log()}`);
    try {
      return (await fetch(`${url}/ping`)).ok;
    } catch {
      return false; // not listening yet
    }
  }

  async function waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await answersPing())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for clickhouse-server to answer /ping:\n${server.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const server: TestClickHouseServer = {
    url,
    user,
    password,
    dir,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      child = spawn(binary, [`--config-file=${dir}/config.xml`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (chunk: Buffer) => fs.appendFileSync(path.join(dir, 'stderr.log'), chunk));
      await waitReady(20_000);
    },
    async kill() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await server.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async query<T>(sql: string): Promise<T[]> {
      const select = /^\s*(SELECT|SHOW|WITH)\b/i.test(sql);
      const response = await fetch(`${url}/`, {
        method: 'POST',
        headers: { 'X-ClickHouse-User': user, 'X-ClickHouse-Key': password },
        body: select ? `${sql} FORMAT JSONEachRow` : sql,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`clickhouse-server answered ${response.status} to ${sql.slice(0, 200)}: ${text.trim()}`);
      return text.trim() === '' ? [] : text.trim().split('\n').map((line) => JSON.parse(line) as T);
    },
    pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    log() {
      const read = (name: string) => (fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), 'utf8').slice(-4000) : '');
      return read('error.log') + read('stderr.log');
    },
  };
  return server;
}
