/**
 * Which role a request's bearer token gives on /api/*: the admin token runs named operations and reads; the viewer
 * token (dashboard, reports, read-only /api/query) only reads. Neither runs raw DDL or DML.
 */
import type { IncomingMessage } from 'node:http';
import { bearerTokenMatches } from './bearer-token';

export type ApiRole = 'admin' | 'viewer';

export interface ApiTokens {
  readonly adminToken: string;
  /** '' when no viewer token is configured: then only the admin token reads. */
  readonly viewerToken: string;
}

export function apiRoleOf(request: IncomingMessage, tokens: ApiTokens): ApiRole | undefined {
  // Both are compared every time, so the answer's timing does not say which token was close.
  const admin = tokens.adminToken !== '' && bearerTokenMatches(request, tokens.adminToken);
  const viewer = tokens.viewerToken !== '' && bearerTokenMatches(request, tokens.viewerToken);
  return admin ? 'admin' : viewer ? 'viewer' : undefined;
}
