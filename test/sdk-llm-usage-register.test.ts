// An unmodified app under `node --require sdk/dist/register.js` calls the real openai and @anthropic-ai/sdk clients
// (plain and streamed) against the fake provider; the OTLP it sends carries each call's exact tokens, cost and user,
// and none of the content. Needs `npx tsc -p tsconfig.json` first (npm test builds).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_ANSWER, startFakeLlmProvider, type FakeLlmProvider } from './helpers/fake-llm-provider';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver';
import { startPreloadedApp } from './helpers/preloaded-app';
import { REGISTER_CJS, SDK_INDEX } from './helpers/built-paths';

const ROOT = path.resolve(__dirname, '..');

// Inside the repo (git-ignored) so the app resolves openai and @anthropic-ai/sdk from the repo's node_modules.
fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
const APPS = fs.mkdtempSync(path.join(ROOT, 'test-artifacts', 'llm-usage-register-'));

const APP = `
const http = require('node:http');
const OpenAI = require('openai').default;
const Anthropic = require('@anthropic-ai/sdk').default;
const { setUser } = require(${JSON.stringify(SDK_INDEX)});
const base = process.env.PROVIDER_URL;
const openai = new OpenAI({ apiKey: 'sk-test', baseURL: base + '/v1', maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base, maxRetries: 0 });
const server = http.createServer(async (req, res) => {
  setUser({ id: req.headers['x-user'] });
  if (req.url === '/chat') {
    const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    return res.end(r.choices[0].message.content);
  }
  if (req.url === '/claude-stream') {
    const m = await anthropic.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    return res.end(m.content[0].text);
  }
  res.statusCode = 404;
  res.end();
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

let receiver: OtlpReceiver;
let provider: FakeLlmProvider;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  provider = await startFakeLlmProvider();
});

afterAll(async () => {
  await receiver?.close();
  await provider?.close();
  fs.rmSync(APPS, { recursive: true, force: true });
});

describe('usage from the official clients under --require', () => {
  it('exports one external span per call with exact tokens, cost from the built-in prices and the request user', async () => {
    const file = path.join(APPS, 'app.js');
    fs.writeFileSync(file, APP);
    const app = await startPreloadedApp({
      cwd: APPS,
      args: ['--require', REGISTER_CJS, file],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'llm-app', PROVIDER_URL: provider.url },
    });

    const ask = async (route: string, user: string): Promise<string> => (await fetch(`http://127.0.0.1:${app.port}${route}`, { headers: { 'x-user': user } })).text();
    expect(await ask('/chat', 'alice')).toBe(SECRET_ANSWER);
    expect(await ask('/claude-stream', 'bob')).toBe(SECRET_ANSWER);
    app.kill('SIGTERM');
    expect((await app.exited).signal).toBe('SIGTERM');

    const external = receiver.spans.filter((s) => s.attributes['activity.kind'] === 'external');
    const pick = (a: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(Object.entries(a).filter(([k]) => k.startsWith('gen_ai.usage') || k === 'gen_ai.response.model' || k === 'activity.cost.usd' || k === 'user.id' || k === 'url.path'));
    expect(external.map((s) => pick(s.attributes)).sort((a, b) => String(a['user.id']).localeCompare(String(b['user.id'])))).toEqual([
      {
        'url.path': '/v1/chat/completions',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.usage.cache_read.input_tokens': 1000,
        // built-in gpt-4o-mini: (200 × 0.15 + 1000 × 0.075 + 300 × 0.6) / 1M
        'activity.cost.usd': 0.000285,
        'user.id': 'alice',
      },
      {
        'url.path': '/v1/messages',
        'gen_ai.response.model': 'claude-sonnet-4-20250514',
        'gen_ai.usage.input_tokens': 25,
        'gen_ai.usage.output_tokens': 15,
        // built-in claude-sonnet-4: (25 × 3 + 15 × 15) / 1M
        'activity.cost.usd': 0.0003,
        'user.id': 'bob',
      },
    ]);
    // Nothing of what the model said leaves the app.
    for (const { body } of receiver.raw) expect(body).not.toContain('launch-code');
  });
});
