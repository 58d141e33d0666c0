/**
 * The demo's traffic: a fixed, deterministic list of requests (a few users, user agents and client IPs, failing
 * logins, orders, assistant questions, an error route) with the status each must get and the rows each must make,
 * so the demo (and its test) can check that the tables hold exactly what was sent.
 */

export interface DemoUser {
  readonly email: string;
  readonly password: string;
  readonly userAgent: string;
  readonly ip: string;
}

export interface PlannedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  /** Index into DEMO_USERS whose session token goes in Authorization (after that user logged in). */
  readonly as?: number;
  /** A login response whose token becomes DEMO_USERS[loginOf]'s session. */
  readonly loginOf?: number;
  readonly userAgent: string;
  /** Sent as X-Forwarded-For; the app runs with OTEL_ACTIVITY_TRUST_PROXY=true. */
  readonly ip: string;
  readonly expectStatus: number;
  /** One auth_events row (an auth route). */
  readonly auth: boolean;
  /** One external_calls row (an LLM call). */
  readonly external: boolean;
  /** One activities row (trackActivity). */
  readonly activity: boolean;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'alice@example.com', password: 'correct horse', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', ip: '198.51.100.10' },
  { email: 'bob@example.com', password: 'battery staple', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', ip: '198.51.100.23' },
  { email: 'carol@example.com', password: 'tr0ub4dor&3', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', ip: '2001:db8:85a3::8a2e:370:7334' },
  { email: 'dave@example.com', password: 'hunter2hunter2', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', ip: '192.0.2.77' },
];

const ATTACKER = { userAgent: 'python-requests/2.32.3', ip: '203.0.113.66' };
const ANONYMOUS = { userAgent: 'curl/8.11.0', ip: '192.0.2.200' };

/** Auth routes of the sample app, given to it as OTEL_ACTIVITY_AUTH_ROUTES. */
export const DEMO_AUTH_ROUTES: Readonly<Record<string, string>> = {
  'POST /api/users': 'signup',
  'POST /api/users/login': 'login',
  'POST /api/users/logout': 'logout',
};

const PRODUCT_COUNT = 5;
const MAIN_LOOP = 240;

function request(r: Omit<PlannedRequest, 'auth' | 'external' | 'activity'> & Partial<Pick<PlannedRequest, 'external' | 'activity'>>): PlannedRequest {
  const auth = `${r.method} ${r.path}` in DEMO_AUTH_ROUTES;
  return { ...r, auth, external: r.external ?? false, activity: r.activity ?? false };
}

export function demoTraffic(): PlannedRequest[] {
  const plan: PlannedRequest[] = [];
  const u = DEMO_USERS;
  // Signups: everyone, then a duplicate and an incomplete one (failed signups).
  u.forEach((user) => plan.push(request({ method: 'POST', path: '/api/users', body: { email: user.email, password: user.password }, userAgent: user.userAgent, ip: user.ip, expectStatus: 201 })));
  plan.push(request({ method: 'POST', path: '/api/users', body: { email: u[0]!.email, password: 'again' }, userAgent: u[0]!.userAgent, ip: u[0]!.ip, expectStatus: 409 }));
  plan.push(request({ method: 'POST', path: '/api/users', body: { email: 'eve@example.com' }, ...ATTACKER, expectStatus: 400 }));
  // Failing logins: password guessing from one address, and one typo by bob.
  for (let i = 0; i < 8; i++) {
    const email = i < 5 ? u[0]!.email : 'mallory@example.com';
    plan.push(request({ method: 'POST', path: '/api/users/login', body: { email, password: `guess-${i}` }, ...ATTACKER, expectStatus: 401 }));
  }
  plan.push(request({ method: 'POST', path: '/api/users/login', body: { email: u[1]!.email, password: 'battery stapler' }, userAgent: u[1]!.userAgent, ip: u[1]!.ip, expectStatus: 401 }));
  // Successful logins.
  u.forEach((user, i) => plan.push(request({ method: 'POST', path: '/api/users/login', body: { email: user.email, password: user.password }, loginOf: i, userAgent: user.userAgent, ip: user.ip, expectStatus: 200 })));
  // The main mix.
  for (let i = 0; i < MAIN_LOOP; i++) {
    // Rotating by the loop's dozen as well, so every user gets every kind of request (not bob all the LLM calls).
    const as = (i + Math.floor(i / 12)) % u.length;
    const who = { as, userAgent: u[as]!.userAgent, ip: u[as]!.ip };
    const step = i % 12;
    if (step <= 2 || (step === 11 && i % 48 !== 11)) {
      plan.push(request({ method: 'GET', path: '/api/products', ...who, expectStatus: 200 }));
    } else if (step <= 6 || step === 10) {
      const id = (i % 7) + 1;
      plan.push(request({ method: 'GET', path: `/api/products/${id}`, ...who, expectStatus: id <= PRODUCT_COUNT ? 200 : 404 }));
    } else if (step <= 8) {
      plan.push(request({ method: 'POST', path: '/api/orders', body: { productId: (i % PRODUCT_COUNT) + 1, quantity: 1 + (i % 3) }, ...who, expectStatus: 201, activity: true }));
    } else if (step === 9) {
      plan.push(request({ method: 'POST', path: '/api/assistant/ask', body: { question: `Which coffee goes with order ${i}? `.repeat(1 + (i % 4)) }, ...who, expectStatus: 200, external: true }));
    } else {
      plan.push(request({ method: 'GET', path: '/api/error', ...who, expectStatus: 500 }));
    }
  }
  // Anonymous visitors: browsing, and the assistant refusing them (no LLM call).
  for (let i = 0; i < 10; i++) plan.push(request({ method: 'GET', path: i % 2 ? '/api/products' : `/api/products/${(i % PRODUCT_COUNT) + 1}`, ...ANONYMOUS, expectStatus: 200 }));
  for (let i = 0; i < 2; i++) plan.push(request({ method: 'POST', path: '/api/assistant/ask', body: { question: 'hi' }, ...ANONYMOUS, expectStatus: 401 }));
  // Logouts, and one without a session (a failed logout).
  u.forEach((user, i) => plan.push(request({ method: 'POST', path: '/api/users/logout', as: i, userAgent: user.userAgent, ip: user.ip, expectStatus: 204 })));
  plan.push(request({ method: 'POST', path: '/api/users/logout', ...ANONYMOUS, expectStatus: 401 }));
  return plan;
}

export interface ExpectedRows {
  readonly access_log: number;
  readonly auth_events: number;
  readonly external_calls: number;
  readonly activities: number;
}

export function expectedRows(plan: readonly PlannedRequest[]): ExpectedRows {
  return {
    access_log: plan.length,
    auth_events: plan.filter((r) => r.auth).length,
    external_calls: plan.filter((r) => r.external).length,
    activities: plan.filter((r) => r.activity).length,
  };
}
