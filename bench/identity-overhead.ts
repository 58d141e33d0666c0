/**
 * What identity from config adds to one request, measured in-process (an end-to-end A/B cannot resolve tens of ns:
 * its A/A spread on the shared 2 cores is ±10%): the header reads every request pays, the JWT decode and session
 * hash a request with credentials pays, and the account read an auth route pays. Medians of 7 repetitions, net
 * of building the request objects.
 *
 *   node dist/bench/identity-overhead.js
 */
import type { IncomingMessage } from 'node:http';
import { createAuthAccountReader } from 'otel-activity/internal/auth/auth-account';
import { rawHeader } from 'otel-activity/internal/request/raw-header';
import { createTokenUserReader } from 'otel-activity/internal/user/jwt-claim';
import { createSessionCookieReader } from 'otel-activity/internal/user/session-cookie';
import { median } from './lib/stats';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
// An Auth0-like RS256 access token (~0.8 KB) and an express-session cookie among two others.
const TOKEN = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64({
  sub: 'auth0|5f7c8ec7c33c6c004bbafe82', iss: 'https://tenant.example/', aud: ['api'], iat: 1700000000, exp: 1700003600, scope: 'openid profile email',
})}.${'s'.repeat(342)}`;
const COOKIE = 'theme=dark; _ga=GA1.2.3; connect.sid=s%3AKp2oJ8hX1vWc9yZr4Qm7Tn0bLd5Ae3Fg.Vx8pQ2rS5tU7wY9zA1bC3dE5fG7hJ9kL1mN3oP5qR7s';
const BASE = ['Host', '127.0.0.1:3000', 'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120', 'Accept', '*/*', 'Connection', 'keep-alive'];

const tokenUser = createTokenUserReader('sub')!;
const session = createSessionCookieReader(['connect.sid', 'sessionid', 'session_id', 'session', 'sid'])!;
const account = createAuthAccountReader('user.email')!;
const LOGIN = Buffer.from(JSON.stringify({ user: { email: 'ann@example.com', password: 'correct horse battery' } }));

/** A request as Node's parser leaves it: fresh header strings each time (no string hash reused across requests). */
function request(withCredentials: boolean, i: number): IncomingMessage {
  const raw = withCredentials ? [...BASE, 'Authorization', `Bearer ${TOKEN}`, 'Cookie', COOKIE] : BASE;
  return { rawHeaders: raw.map((h) => (' ' + h + (i % 2 === 0 ? '' : ' ')).trim()) } as unknown as IncomingMessage;
}

/** ns per call of `work` on a fresh request, net of building the request (timed alone, same loop). */
function nsPerCall(iterations: number, setup: (i: number) => IncomingMessage, work: (r: IncomingMessage) => unknown): number {
  const time = (fn: (i: number) => unknown): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(i);
    return Number(process.hrtime.bigint() - start) / iterations;
  };
  const runs: number[] = [];
  for (let rep = 0; rep < 7; rep++) runs.push(time((i) => work(setup(i))) - time(setup));
  return Math.max(0, median(runs));
}

const identify = (r: IncomingMessage) => [tokenUser(rawHeader(r, 'authorization')), session(rawHeader(r, 'cookie'))];
const rows = [
  ['plain request (no Authorization, no Cookie)', nsPerCall(200_000, (i) => request(false, i), identify)],
  ['Bearer JWT + session cookie', nsPerCall(50_000, (i) => request(true, i), identify)],
  ['auth route: account from the JSON body', nsPerCall(50_000, (i) => request(false, i), () => account({ chunks: [LOGIN], bytes: LOGIN.length, overflow: false, observer: undefined }))],
] as const;
for (const [name, ns] of rows) process.stdout.write(`${name}: ${ns.toFixed(0)} ns per request\n`);
