/**
 * Mounts the analytics dashboard (exporter/dashboard/) in the service: its static page and JSON API answer the paths
 * that are theirs (resolving true); everything else falls through to the service's 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActivityConfig } from '../config';
import { createDashboardHandler } from '../dashboard/index';
import type { Sink } from '../sinks/sink';

/** Answers a request it owns and resolves true, or resolves false to let the service answer 404. */
export type DashboardHandler = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

export function loadDashboardHandler(options: { sink: Sink; adminToken: string; viewerToken: string; config: ActivityConfig }): DashboardHandler {
  return createDashboardHandler({ sink: options.sink, adminToken: options.adminToken, viewerToken: options.viewerToken, config: options.config, serviceName: 'otel-activity' });
}
