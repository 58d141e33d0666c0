/**
 * Sends the demo's planned requests to the sample app one after another, with each user's user agent, address
 * (X-Forwarded-For) and session token, and counts answers that differ from the plan.
 */
import type { PlannedRequest } from './traffic-plan';

export interface DriveResult {
  readonly sent: number;
  readonly byStatus: Record<string, number>;
  /** Requests whose status was not the planned one (0 on a healthy run). */
  readonly unexpected: string[];
}

export async function driveTraffic(baseUrl: string, plan: readonly PlannedRequest[]): Promise<DriveResult> {
  const tokens = new Map<number, string>();
  const byStatus: Record<string, number> = {};
  const unexpected: string[] = [];
  for (const r of plan) {
    const headers: Record<string, string> = { 'user-agent': r.userAgent, 'x-forwarded-for': r.ip };
    if (r.body !== undefined) headers['content-type'] = 'application/json';
    const token = r.as === undefined ? undefined : tokens.get(r.as);
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${baseUrl}${r.path}`, { method: r.method, headers, body: r.body === undefined ? undefined : JSON.stringify(r.body) });
    const text = await response.text();
    byStatus[response.status] = (byStatus[response.status] ?? 0) + 1;
    if (response.status !== r.expectStatus) unexpected.push(`${r.method} ${r.path}: got ${response.status}, planned ${r.expectStatus}: ${text.slice(0, 200)}`);
    if (r.loginOf !== undefined && response.ok) tokens.set(r.loginOf, (JSON.parse(text) as { token: string }).token);
  }
  return { sent: plan.length, byStatus, unexpected };
}
