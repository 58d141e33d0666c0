/**
 * What reading usage from LLM responses adds per call, in-process (an end-to-end A/B cannot resolve a few µs on
 * the shared 2 cores): observing every body chunk as it passes plus reading model and tokens at the end, for a
 * plain chat completion, a streamed one, a 200 KB embeddings body and a gzip body; and the path check every other
 * outbound call pays. Medians of 7 repetitions, net of pushing the same chunks through an unobserved response.
 *
 *   node dist/bench/llm-usage-overhead.js
 */
import type { IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';
import { loadConfig } from 'otel-activity/internal/config/config-loader';
import { captureHttpUsage, takeResponseUsage } from 'otel-activity/internal/external/response-usage-capture';
import { createActivityRuntime } from 'otel-activity/internal/runtime/activity-runtime';
import { median } from './lib/stats';

const runtime = createActivityRuntime(loadConfig({ env: {} }).sdk);
const usage = { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 1000 } };
const chat = Buffer.from(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(120) }, finish_reason: 'stop' }], usage }));
const sse = [
  ...Array.from({ length: 60 }, (_, i) => `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: `tok${i} ` } }], usage: null })}\n\n`),
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [], usage })}\n\n`,
  'data: [DONE]\n\n',
].map((event) => Buffer.from(event));
const embeddingsBody = Buffer.from(JSON.stringify({ object: 'list', data: Array.from({ length: 60 }, (_, index) => ({ object: 'embedding', index, embedding: Array.from({ length: 256 }, (_, k) => Math.sin(k + index)) })), model: 'text-embedding-3-small', usage: { prompt_tokens: 480, total_tokens: 480 } }));
const embeddings = Array.from({ length: Math.ceil(embeddingsBody.length / 16_384) }, (_, i) => embeddingsBody.subarray(i * 16_384, (i + 1) * 16_384));
const gzipped = [gzipSync(chat)];

function response(encoding: string): IncomingMessage {
  return { headers: encoding === '' ? {} : { 'content-encoding': encoding }, push: () => true } as unknown as IncomingMessage;
}

/** ns per call: the chunks through a response observed for `path`, minus the same through an unobserved one. */
function nsPerCall(iterations: number, path: string, chunks: Buffer[], encoding = ''): number {
  const time = (observe: boolean): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const span = { attributes: { 'url.full': `https://api.openai.com${path}` } };
      const res = response(encoding);
      if (observe) captureHttpUsage(runtime, span, res);
      for (const chunk of chunks) res.push(chunk);
      res.push(null);
      if (observe) takeResponseUsage(runtime, span);
    }
    return Number(process.hrtime.bigint() - start) / iterations;
  };
  const runs: number[] = [];
  for (let rep = 0; rep < 7; rep++) runs.push(time(true) - time(false));
  return Math.max(0, median(runs));
}

const rows = [
  [`chat completion, ${chat.length} B JSON`, nsPerCall(20_000, '/v1/chat/completions', [chat])],
  [`streamed chat completion, ${sse.length} SSE events`, nsPerCall(5_000, '/v1/chat/completions', sse)],
  [`embeddings, ${embeddingsBody.length} B in ${embeddings.length} chunks`, nsPerCall(2_000, '/v1/embeddings', embeddings)],
  [`chat completion, gzip (${gzipped[0].length} B)`, nsPerCall(10_000, '/v1/chat/completions', gzipped, 'gzip')],
  ['any other outbound call (path check only)', nsPerCall(200_000, '/v1/customers', [chat])],
] as const;
for (const [name, ns] of rows) process.stdout.write(`${name}: ${ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`} per call\n`);
