// Usage read from LLM API responses with no code: the real official clients (openai, @anthropic-ai/sdk,
// @google/genai) and plain http/fetch, called from inside a traced app request, against a fake provider on
// 127.0.0.1 that answers in the providers' published shapes. Exact tokens, cost, user; the app's bytes untouched.
import * as fs from 'node:fs';
import type * as Http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, recordUsage, setUser, startActivityTracing, trackExternalCall, type ActivityTracing } from '../sdk/index';
import { QueryCatalog } from '../exporter/analytics/query-catalog';
import { readableSpanToActivitySpan } from '../exporter/normalize/from-readable-span';
import { spanToRow } from '../exporter/rows/span-to-row';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { createServiceMap } from '../sdk/external/service-map';
import { getRuntime } from '../sdk/runtime/activity-runtime';
import { SECRET_ANSWER, startFakeLlmProvider, type FakeLlmProvider } from './helpers/fake-llm-provider';
import { waitUntil } from './helpers/wait-until';

const exporter = new InMemorySpanExporter();
let tracing: ActivityTracing;
let http: typeof Http;
let provider: FakeLlmProvider;
let app: Http.Server;
let appUrl = '';
// @google/genai declares its types as ES modules only, so it is loaded with import() (as vitest loads it anyway),
// before tracing starts like the other clients' static imports.
let GoogleGenAI: typeof import('@google/genai', { with: { 'resolution-mode': 'import' } }).GoogleGenAI;

type Route = (provider: string) => Promise<string>;

/** One app route per way of calling a model; each answers with what the app got back. */
const routes: Record<string, Route> = {
  '/openai-chat': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    return r.choices[0].message.content ?? '';
  },
  '/openai-chat-stream': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    return text;
  },
  '/openai-responses': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    const r = await client.responses.create({ model: 'o4-mini', input: 'hi' });
    return r.output_text;
  },
  '/openai-responses-stream': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    const stream = await client.responses.create({ model: 'o4-mini', input: 'hi', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    return text;
  },
  '/openai-embeddings': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    const r = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
    return String(r.data[0].embedding.length);
  },
  '/anthropic': async (base) => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base, maxRetries: 0 });
    const r = await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] });
    return r.content[0].type === 'text' ? r.content[0].text : '';
  },
  '/anthropic-stream-cut': async (base) => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, metadata: { user_id: 'cut-after-4' }, messages: [{ role: 'user', content: 'hi' }] });
    return stream.finalMessage().then(() => 'complete', () => 'cut');
  },
  '/openai-embeddings-large': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    const r = await client.embeddings.create({ model: 'text-embedding-3-small', input: Array.from({ length: 3000 }, () => 'hi') });
    return String(r.data.length);
  },
  '/anthropic-stream': async (base) => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] });
    const message = await stream.finalMessage();
    return message.content[0].type === 'text' ? message.content[0].text : '';
  },
  '/gemini': async (base) => {
    const ai = new GoogleGenAI({ apiKey: 'gm-test', httpOptions: { baseUrl: base } });
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    return r.text ?? '';
  },
  '/gemini-stream': async (base) => {
    const ai = new GoogleGenAI({ apiKey: 'gm-test', httpOptions: { baseUrl: base } });
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })) text += chunk.text ?? '';
    return text;
  },
  '/openai-chat-gzip': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0, defaultHeaders: { 'x-fake-gzip': '1' } });
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
    return r.choices[0].message.content ?? '';
  },
  '/openrouter-cost': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: `${base}/api/v1`, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [] });
    return r.choices[0].message.content ?? '';
  },
  '/openai-rate-limited': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    return client.chat.completions.create({ model: 'error-429', messages: [] }).then(() => 'answered', (error: { status?: number }) => `status ${error.status}`);
  },
  '/fetch-raw-stream': async (base) => {
    // The app's own bytes, as fetch hands them over: they must be exactly what the provider sent.
    const r = await fetch(`${base}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o-mini', stream: true }) });
    return Buffer.from(await r.arrayBuffer()).toString('base64');
  },
  '/http-gzip': (base) => httpCall(base, { model: 'gpt-4o-mini' }, { 'x-fake-gzip': '1', 'accept-encoding': 'gzip' }),
  '/http-stream-paused': (base) => httpCall(base, { model: 'gpt-4o-mini', stream: true }, {}),
  '/not-llm': async (base) => (await fetch(`${base}/v1/other`)).status.toString(),

  // One external call, one row: every way of combining trackExternalCall, recordUsage and a vendor SDK's span.
  '/tracked-then-record': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    const r = await trackExternalCall('openai', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }), { model: 'gpt-4o-mini' });
    recordUsage({ model: 'gpt-4o-mini', inputTokens: r.usage?.prompt_tokens, outputTokens: r.usage?.completion_tokens, cachedInputTokens: r.usage?.prompt_tokens_details?.cached_tokens });
    return 'ok';
  },
  '/tracked-record-inside': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    await trackExternalCall('openai', async () => {
      const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
      recordUsage({ model: 'gpt-4o-mini', inputTokens: r.usage?.prompt_tokens, outputTokens: r.usage?.completion_tokens, cachedInputTokens: 1000 });
    });
    return 'ok';
  },
  '/tracked-only': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    await trackExternalCall('openai', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }), { model: 'gpt-4o-mini' });
    return 'ok';
  },
  '/sdk-then-record': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
    // The app's own count (here: without the cached split) replaces what was read from the response.
    recordUsage({ model: 'gpt-4o-mini', inputTokens: r.usage?.prompt_tokens, outputTokens: r.usage?.completion_tokens });
    return 'ok';
  },
  '/reported-cost': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
    // What the provider billed, e.g. from OpenRouter's usage.cost: wins over the price table.
    recordUsage({ model: 'gpt-4o-mini', inputTokens: 1200, outputTokens: 300, costUsd: 0.0005 });
    return 'ok';
  },
  '/usage-only': () => {
    recordUsage({ model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 5 });
    return Promise.resolve('ok');
  },
  '/record-later': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
    await fetch(`${base}/v1/other`);
    recordUsage({ model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 5 });
    return 'ok';
  },
  '/tracked-then-other-model': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    await trackExternalCall('openai', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }), { model: 'gpt-4o-mini' });
    // Another model's usage, recorded right after: not this call's.
    recordUsage({ model: 'claude-haiku-4-5', inputTokens: 10, outputTokens: 5 });
    return 'ok';
  },
  '/tracked-stream-read-after': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    const stream = await trackExternalCall('openai', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [], stream: true, stream_options: { include_usage: true } }), { model: 'gpt-4o-mini' });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    return text;
  },
  '/anthropic-genai-span': async (base) => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base, maxRetries: 0, openTelemetry: { tracerProvider: tracing.provider } });
    await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] });
    return 'ok';
  },
  '/openai-unpriced': async (base) => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'mystery-model', messages: [] });
    return 'ok';
  },
  '/anthropic-genai-tracked': async (base) => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base, maxRetries: 0, openTelemetry: { tracerProvider: tracing.provider } });
    await trackExternalCall('anthropic', () => client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] }));
    return 'ok';
  },
};

/** node:http, consuming the response in paused mode ('readable' + read()): our observing must not switch it to flowing. */
function httpCall(base: string, body: object, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('readable', () => {
        for (let c = response.read() as Buffer | null; c !== null; c = response.read() as Buffer | null) chunks.push(c);
      });
      response.on('end', () => resolve(Buffer.concat(chunks).toString('base64')));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
}

function untraced<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), fn);
}

async function call(route: string, user = 'u-1'): Promise<{ status: number; body: string }> {
  return untraced(async () => {
    const response = await fetch(`${appUrl}${route}`, { headers: { 'x-user': user } });
    return { status: response.status, body: await response.text() };
  });
}

/**
 * The external spans of the app request to `route`, once its access span and at least `atLeast` of them have
 * ended, and the loop has turned once more (a call's span ends on the turn after it finished).
 */
async function externalsOf(route: string, atLeast = 1): Promise<ReadableSpan[]> {
  const accessSpan = () => exporter.getFinishedSpans().find((s) => s.attributes['activity.kind'] === 'access' && s.attributes['url.path'] === route);
  const externalsIn = (traceId: string | undefined) =>
    exporter.getFinishedSpans().filter((s) => s.attributes['activity.kind'] === 'external' && s.spanContext().traceId === traceId);
  const ended = () => {
    const access = accessSpan();
    return access !== undefined && externalsIn(access.spanContext().traceId).length >= atLeast;
  };
  await waitUntil(ended, 5000, `the access span and ${atLeast} external spans of ${route}`, 10);
  await new Promise((resolve) => setImmediate(resolve));
  return externalsIn(accessSpan()?.spanContext().traceId);
}

beforeAll(async () => {
  ({ GoogleGenAI } = await import('@google/genai'));
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-llm-'));
  fs.writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'llm-usage-app', version: '1.0.0' }));
  const config = loadConfig({
    env: {},
    overrides: {
      sdk: {
        exportMode: 'none',
        // Test prices (USD per million), so the expected costs below do not move when the built-in table does.
        modelPrices: {
          'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
          'o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
          'text-embedding-3-small': { inputPerMillion: 0.02, outputPerMillion: 0 },
          'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75 },
          'gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5 },
        },
      },
    },
  });
  tracing = startActivityTracing(config, { exporter, simpleProcessor: true, cwd });
  http = createRequire(__filename)('node:http') as typeof Http;
  provider = await untraced(() => startFakeLlmProvider());
  app = http.createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    setUser({ id: String(req.headers['x-user']) });
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    route(provider.url).then(
      (text) => res.end(text),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  app?.close();
  await provider?.close();
  await tracing?.shutdown();
});

beforeEach(() => {
  exporter.reset();
  provider.sent.length = 0;
});

function usageOf(span: ReadableSpan): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(span.attributes)) if (key.startsWith('gen_ai.') || key.startsWith('activity.cost') || key === 'activity.usage.source' || key === 'user.id') picked[key] = value;
  return picked;
}

describe('usage read from LLM responses with no code', () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    // 200 uncached × 0.15 + 1000 cached × 0.075 + 300 × 0.6 = 285 µ$ per million
    ['/openai-chat', SECRET_ANSWER, { model: 'gpt-4o-mini-2024-07-18', input: 1200, output: 300, cacheRead: 1000, cost: 0.000285 }],
    // 50 × 0.15 + 20 × 0.6
    ['/openai-chat-stream', `${SECRET_ANSWER.split('-').join('-')}-`, { model: 'gpt-4o-mini-2024-07-18', input: 50, output: 20, cost: 0.0000195 }],
    // 36 × 1.1 + 887 × 4.4 (800 of them reasoning, priced as output)
    ['/openai-responses', SECRET_ANSWER, { model: 'o4-mini', input: 36, output: 887, reasoning: 800, cost: 0.0039424 }],
    ['/openai-responses-stream', SECRET_ANSWER, { model: 'o4-mini', input: 36, output: 887, reasoning: 800, cost: 0.0039424 }],
    // 8 × 0.02: $1.6e-7
    ['/openai-embeddings', '3', { model: 'text-embedding-3-small', input: 8, output: 0, cost: 0.00000016 }],
    // 200 × 3 + 2000 cache read × 0.3 + 1000 cache write × 3.75 + 503 × 15; input counts all three
    ['/anthropic', SECRET_ANSWER, { model: 'claude-sonnet-4-20250514', input: 3200, output: 503, cacheRead: 2000, cacheWrite: 1000, cost: 0.012495 }],
    // input from message_start, output from message_delta: 25 × 3 + 15 × 15
    ['/anthropic-stream', SECRET_ANSWER, { model: 'claude-sonnet-4-20250514', input: 25, output: 15, cost: 0.0003 }],
    // 8 × 0.3 + (12 + 30 thinking) × 2.5
    ['/gemini', SECRET_ANSWER, { model: 'gemini-2.5-flash', input: 8, output: 42, reasoning: 30, cost: 0.0001074 }],
    ['/gemini-stream', SECRET_ANSWER, { model: 'gemini-2.5-flash', input: 8, output: 42, reasoning: 30, cost: 0.0001074 }],
  ];
  for (const [route, answer, want] of cases) {
    it(`${route}: one external row with the exact tokens, cost and the request's user`, async () => {
      const response = await call(route, `user${route}`);
      expect(response).toEqual({ status: 200, body: answer });
      const externals = await externalsOf(route);
      expect(externals).toHaveLength(1);
      const expected: Record<string, unknown> = {
        'gen_ai.provider.name': undefined,
        'gen_ai.response.model': want.model,
        'gen_ai.usage.input_tokens': want.input,
        'gen_ai.usage.output_tokens': want.output,
        'activity.cost.usd': want.cost,
        'activity.cost.source': 'price_table',
        'activity.usage.source': 'response',
        'user.id': `user${route}`,
      };
      if (want.cacheRead !== undefined) expected['gen_ai.usage.cache_read.input_tokens'] = want.cacheRead;
      if (want.cacheWrite !== undefined) expected['gen_ai.usage.cache_creation.input_tokens'] = want.cacheWrite;
      if (want.reasoning !== undefined) expected['gen_ai.usage.reasoning.output_tokens'] = want.reasoning;
      delete expected['gen_ai.provider.name'];
      expect(usageOf(externals[0])).toEqual(expected);
      // Nothing of the content is kept.
      expect(JSON.stringify(externals[0].attributes)).not.toContain('launch-code');
    });
  }

  it('reads the usage at the end of a body far larger than the sampled head and tail', async () => {
    expect((await call('/openai-embeddings-large')).body).toBe('3000');
    expect(provider.sent[0].length).toBeGreaterThan(200_000);
    const [external] = await externalsOf('/openai-embeddings-large');
    // 24000 × $0.02/M
    expect(usageOf(external)).toMatchObject({ 'gen_ai.response.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': 24000, 'activity.cost.usd': 0.00048 });
  });

  it('keeps what a stream cut short had reported (input from message_start) and the app sees its error', async () => {
    expect((await call('/anthropic-stream-cut')).body).toBe('cut');
    const [external] = await externalsOf('/anthropic-stream-cut');
    // 25 × 3 + 1 × 15
    expect(usageOf(external)).toMatchObject({ 'gen_ai.usage.input_tokens': 25, 'gen_ai.usage.output_tokens': 1, 'activity.cost.usd': 0.00009 });
  });

  it('reads a gzip body over fetch, which decompresses it for the app as before', async () => {
    expect((await call('/openai-chat-gzip')).body).toBe(SECRET_ANSWER);
    const [external] = await externalsOf('/openai-chat-gzip');
    expect(usageOf(external)).toMatchObject({ 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.cache_read.input_tokens': 1000, 'activity.cost.usd': 0.000285 });
  });

  it("takes the cost a provider reports it billed (OpenRouter's usage.cost) over the price table", async () => {
    expect((await call('/openrouter-cost')).body).toBe(SECRET_ANSWER);
    const [external] = await externalsOf('/openrouter-cost');
    expect(usageOf(external)).toMatchObject({ 'gen_ai.response.model': 'openai/gpt-4o-mini', 'gen_ai.usage.input_tokens': 1200, 'activity.cost.usd': 0.00042, 'activity.cost.source': 'reported' });
  });

  it('records an error answer as the failed call it is, with no tokens and no cost', async () => {
    expect((await call('/openai-rate-limited')).body).toBe('status 429');
    const [external] = await externalsOf('/openai-rate-limited');
    expect(external.attributes['http.response.status_code']).toBe(429);
    expect(Object.keys(external.attributes).filter((k) => k.startsWith('gen_ai.usage') || k === 'activity.cost.usd')).toEqual([]);
  });

  it('hands fetch the streamed bytes unchanged', async () => {
    const response = await call('/fetch-raw-stream');
    expect(Buffer.from(response.body, 'base64').equals(provider.sent[0])).toBe(true);
    const [external] = await externalsOf('/fetch-raw-stream');
    expect(usageOf(external)).toMatchObject({ 'gen_ai.usage.input_tokens': 50, 'gen_ai.usage.output_tokens': 20, 'activity.cost.usd': 0.0000195 });
  });

  it('reads a gzip-compressed http response, which the app still gets compressed and byte for byte', async () => {
    const response = await call('/http-gzip');
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(Buffer.from(response.body, 'base64')).equals(provider.sent[0])).toBe(true);
    const [external] = await externalsOf('/http-gzip');
    expect(usageOf(external)).toMatchObject({ 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.cache_read.input_tokens': 1000, 'activity.cost.usd': 0.000285 });
  });

  it('reads an SSE stream over http that the app consumes in paused mode, every byte still delivered', async () => {
    const response = await call('/http-stream-paused');
    expect(Buffer.from(response.body, 'base64').equals(provider.sent[0])).toBe(true);
    const [external] = await externalsOf('/http-stream-paused');
    expect(usageOf(external)).toMatchObject({ 'gen_ai.usage.input_tokens': 50, 'gen_ai.usage.output_tokens': 20, 'activity.usage.source': 'response' });
  });

  it('leaves calls to other endpoints alone', async () => {
    expect((await call('/not-llm')).body).toBe('404');
    const [external] = await externalsOf('/not-llm');
    expect(Object.keys(external.attributes).filter((k) => k.startsWith('gen_ai.usage') || k === 'activity.cost.usd')).toEqual([]);
  });

  it('names the service of a local proxy by host, port and path prefix', async () => {
    const runtime = getRuntime() as { serviceOf: ReturnType<typeof createServiceMap> };
    const serviceOf = runtime.serviceOf;
    runtime.serviceOf = createServiceMap({ [`${new URL(provider.url).host}/v1/chat`]: 'litellm' });
    try {
      await call('/openai-chat');
      const [chat] = await externalsOf('/openai-chat');
      expect(chat.attributes).toMatchObject({ 'activity.external.service': 'litellm', 'gen_ai.provider.name': 'litellm', 'gen_ai.usage.input_tokens': 1200 });
      await call('/not-llm');
      const [other] = await externalsOf('/not-llm');
      expect(other.attributes['activity.external.service']).toBe('127.0.0.1');
    } finally {
      runtime.serviceOf = serviceOf;
    }
  });

  it('reads nothing when captureLlmUsage is off', async () => {
    const runtime = getRuntime();
    const config = runtime.config;
    (runtime as { config: typeof config }).config = { ...config, captureLlmUsage: false };
    try {
      expect((await call('/openai-chat')).body).toBe(SECRET_ANSWER);
      const [external] = await externalsOf('/openai-chat');
      expect(Object.keys(external.attributes).filter((k) => k.startsWith('gen_ai.usage') || k === 'activity.cost.usd')).toEqual([]);
    } finally {
      (runtime as { config: typeof config }).config = config;
    }
  });
});

describe('one external call, one row', () => {
  const gpt4oMini = { 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300, 'gen_ai.usage.cache_read.input_tokens': 1000, 'activity.cost.usd': 0.000285 };

  it('trackExternalCall around an SDK call, then recordUsage right after the await: one row with the app\'s usage', async () => {
    await call('/tracked-then-record', 'ann');
    const externals = await externalsOf('/tracked-then-record');
    expect(externals).toHaveLength(1);
    expect(externals[0].name).toBe('external openai');
    expect(usageOf(externals[0])).toEqual({
      ...gpt4oMini,
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini',
      'activity.cost.source': 'price_table',
      'activity.usage.source': 'app',
      'user.id': 'ann',
    });
    expect(externals[0].attributes['http.response.status_code']).toBe(200);
  });

  it('recordUsage inside the callback: one row, not added to what the response said', async () => {
    await call('/tracked-record-inside', 'ben');
    const externals = await externalsOf('/tracked-record-inside');
    expect(externals).toHaveLength(1);
    expect(usageOf(externals[0])).toMatchObject({ ...gpt4oMini, 'activity.usage.source': 'app', 'user.id': 'ben' });
  });

  it('trackExternalCall with no recordUsage: the usage read from the response lands on the tracked row', async () => {
    await call('/tracked-only', 'cat');
    const externals = await externalsOf('/tracked-only');
    expect(externals).toHaveLength(1);
    expect(usageOf(externals[0])).toMatchObject({ ...gpt4oMini, 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18', 'activity.usage.source': 'response' });
  });

  it('recordUsage right after an untracked SDK call: merged into that call\'s HTTP row', async () => {
    await call('/sdk-then-record', 'dan');
    const externals = await externalsOf('/sdk-then-record');
    expect(externals).toHaveLength(1);
    expect(externals[0].attributes['http.request.method']).toBe('POST');
    // 1200 × 0.15 + 300 × 0.6: the app gave no cached split, and its numbers win.
    expect(usageOf(externals[0])).toEqual({
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini',
      'activity.cost.usd': 0.00036,
      'activity.cost.source': 'price_table',
      'activity.usage.source': 'app',
      'user.id': 'dan',
    });
  });

  it('a cost the app reports wins over the price table, and says so', async () => {
    await call('/reported-cost', 'kim');
    const externals = await externalsOf('/reported-cost');
    expect(externals).toHaveLength(1);
    expect(usageOf(externals[0])).toMatchObject({ 'activity.cost.usd': 0.0005, 'activity.cost.source': 'reported', 'gen_ai.usage.input_tokens': 1200 });
  });

  it('usage with no call is its own row, marked as usage', async () => {
    await call('/usage-only', 'eve');
    const [usage] = await externalsOf('/usage-only');
    expect(usage.attributes).toMatchObject({ 'activity.external.call': 'usage', 'gen_ai.usage.input_tokens': 10, 'activity.cost.usd': 0.0000045, 'user.id': 'eve' });
    expect(usage.attributes['http.request.method']).toBeUndefined();
  });

  it('recordUsage after other awaited I/O is not "right after": the call keeps its own usage and the usage gets its own row', async () => {
    await call('/record-later', 'fay');
    const externals = await externalsOf('/record-later', 3);
    expect(externals.map((s) => [s.attributes['url.path'] ?? s.attributes['activity.external.call'], s.attributes['gen_ai.usage.input_tokens']]).sort()).toEqual([
      ['/v1/chat/completions', 1200],
      ['/v1/other', undefined],
      ['usage', 10],
    ]);
  });

  it('a stream the app reads after trackExternalCall returned still gives its usage to the tracked row, which ends with it', async () => {
    expect((await call('/tracked-stream-read-after', 'jo')).body).toBe(`${SECRET_ANSWER}-`);
    const externals = await externalsOf('/tracked-stream-read-after');
    expect(externals).toHaveLength(1);
    expect(usageOf(externals[0])).toMatchObject({ 'gen_ai.usage.input_tokens': 50, 'gen_ai.usage.output_tokens': 20, 'activity.cost.usd': 0.0000195, 'user.id': 'jo' });
  });

  it('usage of another model right after a call is not merged into it', async () => {
    await call('/tracked-then-other-model', 'ida');
    const externals = await externalsOf('/tracked-then-other-model', 2);
    expect(externals.map((s) => [s.name, s.attributes['gen_ai.usage.input_tokens'], s.attributes['activity.usage.source']]).sort()).toEqual([
      ['external anthropic', 10, 'app'],
      ['external openai', 1200, 'response'],
    ]);
  });

  it("a vendor SDK's own GenAI span is the row, and its HTTP child is not counted again", async () => {
    await call('/anthropic-genai-span', 'gus');
    const externals = await externalsOf('/anthropic-genai-span');
    expect(externals).toHaveLength(1);
    expect(externals[0].name).toBe('anthropic.messages.create');
    expect(externals[0].attributes).toMatchObject({
      'activity.external.service': 'anthropic',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.input_tokens': 3200,
      'gen_ai.usage.output_tokens': 503,
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.cache_creation.input_tokens': 1000,
      'activity.cost.usd': 0.012495,
      'http.response.status_code': 200,
      'user.id': 'gus',
    });
  });

  it('a vendor SDK span inside trackExternalCall folds into the tracked row', async () => {
    await call('/anthropic-genai-tracked', 'hal');
    const externals = await externalsOf('/anthropic-genai-tracked');
    expect(externals).toHaveLength(1);
    expect(externals[0].name).toBe('external anthropic');
    expect(usageOf(externals[0])).toMatchObject({ 'gen_ai.usage.input_tokens': 3200, 'gen_ai.usage.output_tokens': 503, 'activity.cost.usd': 0.012495, 'user.id': 'hal' });
  });
});

describe('stored rows and reports', () => {
  let dir: string;
  let sink: EmbeddedSink;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-usage-rows-'));
    sink = new EmbeddedSink({ dataDir: path.join(dir, 'data') });
    await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 });
  });
  afterAll(async () => {
    await sink?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores cached, cache-write and reasoning tokens, NULL cost for an unknown model, and reports count neither usage rows as errors nor cost below a micro-dollar as 0', async () => {
    const routesRun = ['/openai-embeddings', '/anthropic', '/openai-responses', '/usage-only', '/openai-unpriced'];
    const spans: ReadableSpan[] = [];
    for (const route of routesRun) {
      await call(route, 'zoe');
      spans.push(...(await externalsOf(route)));
    }
    const rows = spans.map((s) => spanToRow(readableSpanToActivitySpan(s))).filter((r) => r?.table === 'external_calls').map((r) => r?.row as object);
    expect(await sink.insert('external_calls', rows, { dedupToken: 'llm-usage-rows' })).toEqual({ ok: true });

    const stored = await sink.query(
      "SELECT call_kind, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, toString(cost_usd) AS cost, status, user_id FROM external_calls ORDER BY call_kind, model",
    );
    expect(stored).toEqual([
      { call_kind: 'llm', model: 'claude-sonnet-4-20250514', input_tokens: 3200, output_tokens: 503, cache_read_tokens: 2000, cache_write_tokens: 1000, reasoning_tokens: 0, cost: '0.012495', status: 200, user_id: 'zoe' },
      { call_kind: 'llm', model: 'mystery-model-2024-07-18', input_tokens: 1200, output_tokens: 300, cache_read_tokens: 1000, cache_write_tokens: 0, reasoning_tokens: 0, cost: null, status: 200, user_id: 'zoe' },
      { call_kind: 'llm', model: 'o4-mini', input_tokens: 36, output_tokens: 887, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 800, cost: '0.0039424', status: 200, user_id: 'zoe' },
      { call_kind: 'llm', model: 'text-embedding-3-small', input_tokens: 8, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost: '0.00000016', status: 200, user_id: 'zoe' },
      { call_kind: 'usage', model: 'gpt-4o-mini', input_tokens: 10, output_tokens: 5, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost: '0.0000045', status: 0, user_id: 'zoe' },
    ]);

    const catalog = QueryCatalog.load();
    const report = await catalog.run(sink, 'external-calls-by-provider', { from: '2000-01-01 00:00:00.000', to: '2100-01-01 00:00:00.000' });
    expect(report.map((r) => ({ provider: r.provider, calls: Number(r.calls), errors: Number(r.errors), unpriced: Number(r.unpriced_calls), cost: r.cost_usd }))).toEqual([
      // 0.012495 + 0.0039424 + 0.00000016: exact, unrounded
      { provider: '127.0.0.1', calls: 4, errors: 0, unpriced: 1, cost: 0.01643756 },
      // The usage-only row: status 0, never an error.
      { provider: 'openai', calls: 1, errors: 0, unpriced: 0, cost: 0.0000045 },
    ]);
    const rollup = await sink.query('SELECT sum(calls) AS calls, sum(unpriced_calls) AS unpriced, sum(errors) AS errors, sum(cache_read_tokens) AS cached, sum(cache_write_tokens) AS written, sum(reasoning_tokens) AS reasoning, toString(sum(cost_usd)) AS cost FROM external_cost_daily');
    expect(rollup).toEqual([{ calls: 5, unpriced: 1, errors: 0, cached: 3000, written: 1000, reasoning: 800, cost: '0.01644206' }]);
  });
});
