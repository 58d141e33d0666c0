/**
 * Mounts the analytics dashboard (exporter/dashboard/, built separately) when it is part of the build: loaded by
 * name at start so the service works without it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { ActivityConfig } from '../../sdk/config/config-types';
import type { Sink } from '../sinks/sink';

/** Answers a request it owns and resolves true, or resolves false to let the service answer 404. */
export type DashboardHandler = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

interface DashboardModule {
  createDashboardHandler?: (options: { sink: Sink; adminToken: string; config: ActivityConfig }) => DashboardHandler;
}

export function loadDashboardHandler(options: { sink: Sink; adminToken: string; config: ActivityConfig }): DashboardHandler | undefined {
  let mod: DashboardModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../dashboard/index') as DashboardModule;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') diag.warn(`otel-activity service: the dashboard failed to load: ${(error as Error).message}`);
    return undefined;
  }
  if (typeof mod.createDashboardHandler !== 'function') return undefined;
  return mod.createDashboardHandler(options);
}
