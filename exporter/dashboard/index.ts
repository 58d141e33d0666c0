/**
 * The analytics dashboard, mounted by the OTLP service (exporter/service/dashboard-mount.ts loads this module).
 */
export { createDashboardHandler } from './dashboard-handler';
export type { DashboardHandler, DashboardOptions } from './dashboard-handler';
