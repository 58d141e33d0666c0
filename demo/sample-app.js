/**
 * The demo's sample app: a small shop API on plain node:http, no framework, instrumented only by starting it with
 * `node --require otel-activity/register`. Users sign up and log in (auth routes from OTEL_ACTIVITY_AUTH_ROUTES),
 * browse products by id, place orders, ask an "assistant" that calls an LLM (demo/fake-llm.js, cost recorded), and
 * hit a route that throws. Prints {"port": N} on its first stdout line.
 *
 * Env: PORT (default 0), LLM_URL (the fake LLM's base URL).
 */
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
// The package's own public API (Node resolves a package's name from inside it through its "exports").
const { setUser, configure, trackExternalCall, recordUsage, trackActivity } = require('otel-activity');

const LLM_URL = process.env.LLM_URL ?? 'http://127.0.0.1:11434';
const PRODUCTS = [
  { id: 1, name: 'Coffee beans', price: 12.5 },
  { id: 2, name: 'Grinder', price: 89 },
  { id: 3, name: 'Kettle', price: 45 },
  { id: 4, name: 'Mug', price: 9.9 },
  { id: 5, name: 'Filter papers', price: 4.2 },
];
/** email → { id, password } */
const users = new Map();
/** token → user id */
const sessions = new Map();
let nextUserId = 100;
let nextOrderId = 5000;

// Who is calling: the bearer token of a logged-in session. setUser() in a handler would work too.
configure({
  identify(req) {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const userId = token ? sessions.get(token) : undefined;
    return userId ? { id: userId, sessionId: token.slice(0, 12) } : undefined;
  },
});

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function currentUser(req) {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  return token ? { token, userId: sessions.get(token) } : undefined;
}

async function askAssistant(req, res) {
  const who = currentUser(req);
  if (!who?.userId) return send(res, 401, { error: 'log in first' });
  const { question = '' } = await readJson(req);
  const model = 'gpt-4.1-mini';
  // One external-call span for the provider; the fetch inside is folded into it; usage sets tokens and cost.
  const answer = await trackExternalCall(
    'openai',
    async () => {
      const response = await fetch(`${LLM_URL}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-demo-not-a-real-key' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: question }] }),
      });
      const json = await response.json();
      recordUsage({ model: json.model, inputTokens: json.usage.prompt_tokens, outputTokens: json.usage.completion_tokens });
      return json.choices[0].message.content;
    },
    { model },
  );
  send(res, 200, { answer });
}

async function route(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if (method === 'POST' && path === '/api/users') {
    const { email, password } = await readJson(req);
    if (!email || !password) return send(res, 400, { error: 'email and password are required' });
    if (users.has(email)) return send(res, 409, { error: 'email already registered' });
    const id = `user-${nextUserId++}`;
    users.set(email, { id, password });
    setUser({ id });
    return send(res, 201, { id });
  }
  if (method === 'POST' && path === '/api/users/login') {
    const { email, password } = await readJson(req);
    const user = users.get(email);
    if (!user || user.password !== password) return send(res, 401, { error: 'wrong email or password' });
    const token = crypto.randomBytes(16).toString('hex');
    sessions.set(token, user.id);
    setUser({ id: user.id, sessionId: token.slice(0, 12) });
    return send(res, 200, { token });
  }
  if (method === 'POST' && path === '/api/users/logout') {
    const who = currentUser(req);
    if (!who?.userId) return send(res, 401, { error: 'not logged in' });
    sessions.delete(who.token);
    return send(res, 204, {});
  }
  if (method === 'GET' && path === '/api/products') return send(res, 200, PRODUCTS);
  const product = /^\/api\/products\/(\d+)$/.exec(path);
  if (method === 'GET' && product) {
    const item = PRODUCTS.find((p) => p.id === Number(product[1]));
    return item ? send(res, 200, item) : send(res, 404, { error: `no product ${product[1]}` });
  }
  if (method === 'POST' && path === '/api/orders') {
    const who = currentUser(req);
    if (!who?.userId) return send(res, 401, { error: 'log in first' });
    const { productId, quantity = 1 } = await readJson(req);
    const item = PRODUCTS.find((p) => p.id === productId);
    if (!item) return send(res, 400, { error: `unknown product ${productId}` });
    const orderId = nextOrderId++;
    // A business event of its own (the activities table), besides the access row.
    trackActivity({ action: 'order.placed', resourceType: 'order', resourceId: String(orderId), details: { productId, quantity, total: item.price * quantity } });
    return send(res, 201, { orderId, total: item.price * quantity });
  }
  if (method === 'POST' && path === '/api/assistant/ask') return askAssistant(req, res);
  if (method === 'GET' && path === '/api/error') throw new Error('demo failure: the inventory service is down');
  return send(res, 404, { error: `no route ${method} ${path}` });
}

const server = http.createServer((req, res) => {
  route(req, res).catch((error) => {
    if (!res.headersSent) send(res, 500, { error: error.message });
    else res.destroy(error);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
