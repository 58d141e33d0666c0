/**
 * Starts Debian's real clickhouse-server (18.16) on loopback with free ports, a temp config dir and a password user;
 * start(), kill() (SIGKILL) and restart() on the same data directory. For transport tests of HttpSink.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './free-port';
import { waitUntil } from './wait-until';

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
}

export async function createClickHouseServer(options: { user?: string; password?: string } = {}): Promise<TestClickHouseServer> {
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
  <profiles><default></default></profiles>
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

  async function waitReady(deadlineMs: number): Promise<void> {
    await waitUntil(answersPing, deadlineMs, () => `clickhouse-server to answer /ping:\n${server.log()}`, 50);
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
    log() {
      const read = (name: string) => (fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), 'utf8').slice(-4000) : '');
      return read('error.log') + read('stderr.log');
    },
  };
  return server;
}
