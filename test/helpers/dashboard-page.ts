/**
 * The dashboard as the browser tests reach it: Debian's headless Chromium (playwright-core, no browser download) and,
 * for tests that plant rows themselves, the dashboard handler alone on a loopback port.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { createDashboardHandler } from '../../exporter/dashboard';

type DashboardOptions = Parameters<typeof createDashboardHandler>[0];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface DashboardServer {
  readonly base: string;
  close(): Promise<void>;
}

/** The dashboard handler on 127.0.0.1 port 0; what it does not handle is a 404, a failure a 500. */
export async function serveDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const handler = createDashboardHandler(options);
  const server = http.createServer((req, res) => {
    handler(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
