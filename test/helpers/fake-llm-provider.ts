/**
 * A fake LLM provider on 127.0.0.1 port 0 answering in the shapes OpenAI (chat completions, Responses,
 * embeddings), Anthropic (messages) and Gemini (generateContent, streamGenerateContent) publish, plain and SSE,
 * with fixed token usage, so tests can assert exact tokens and cost. It keeps every body it sent, byte for byte.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';

export interface FakeLlmProvider {
  readonly url: string;
  /** Response bodies sent, in order, exactly as written (before any compression). */
  readonly sent: Buffer[];
  close(): Promise<void>;
}

/** Words only: the content must never show up in a span. */
export const SECRET_ANSWER = 'the-launch-code-is-4471';

type Json = Record<string, unknown>;

function chatCompletion(model: string): Json {
  return {
    id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
    object: 'chat.completion',
    created: 1741570283,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: SECRET_ANSWER, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: 1200,
      completion_tokens: 300,
      total_tokens: 1500,
      prompt_tokens_details: { cached_tokens: 1000, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_fc9f1d7035',
  };
}

function chatChunks(model: string): Json[] {
  const base = { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1694268190, model, system_fingerprint: 'fp_44709d6fcb' };
  const words = SECRET_ANSWER.split('-');
  return [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], usage: null },
    ...words.map((w) => ({ ...base, choices: [{ index: 0, delta: { content: `${w}-` }, logprobs: null, finish_reason: null }], usage: null })),
    { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
    { ...base, choices: [], usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } } },
  ];
}

function response(model: string, done: boolean): Json {
  return {
    id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
    object: 'response',
    created_at: 1741476542,
    status: done ? 'completed' : 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output: done ? [{ type: 'message', id: 'msg_67ccd2bf17f0819081ff3bb2cf6508e6', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: SECRET_ANSWER, annotations: [] }] }] : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: 'medium', summary: null },
    store: true,
    temperature: 1.0,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1.0,
    truncation: 'disabled',
    usage: done ? { input_tokens: 36, input_tokens_details: { cached_tokens: 0 }, output_tokens: 887, output_tokens_details: { reasoning_tokens: 800 }, total_tokens: 923 } : null,
    user: null,
    metadata: {},
  };
}

function responseEvents(model: string): Array<[string, Json]> {
  const item = { type: 'message', id: 'msg_67ccd2bf17f0819081ff3bb2cf6508e6', status: 'in_progress', role: 'assistant', content: [] };
  return [
    ['response.created', { type: 'response.created', sequence_number: 0, response: response(model, false) }],
    ['response.in_progress', { type: 'response.in_progress', sequence_number: 1, response: response(model, false) }],
    ['response.output_item.added', { type: 'response.output_item.added', sequence_number: 2, output_index: 0, item }],
    ['response.content_part.added', { type: 'response.content_part.added', sequence_number: 3, item_id: item.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }],
    ['response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 4, item_id: item.id, output_index: 0, content_index: 0, delta: SECRET_ANSWER }],
    ['response.output_text.done', { type: 'response.output_text.done', sequence_number: 5, item_id: item.id, output_index: 0, content_index: 0, text: SECRET_ANSWER }],
    ['response.completed', { type: 'response.completed', sequence_number: 6, response: response(model, true) }],
  ];
}

function embeddings(model: string, base64: boolean, inputs: number): Json {
  const vector = [0.0023064255, -0.009327292, 0.015797347];
  const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  const data = Array.from({ length: inputs }, (_, index) => ({ object: 'embedding', embedding, index }));
  return { object: 'list', data, model, usage: { prompt_tokens: 8 * inputs, total_tokens: 8 * inputs } };
}

function anthropicMessage(model: string): Json {
  return {
    id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: SECRET_ANSWER }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 200, output_tokens: 503, cache_creation_input_tokens: 1000, cache_read_input_tokens: 2000 },
  };
}

function anthropicEvents(model: string): Array<[string, Json]> {
  return [
    ['message_start', { type: 'message_start', message: { id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', type: 'message', role: 'assistant', content: [], model, stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['ping', { type: 'ping' }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: SECRET_ANSWER } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } }],
    ['message_stop', { type: 'message_stop' }],
  ];
}

function geminiChunk(model: string, text: string, usage: Json): Json {
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: usage,
    modelVersion: model,
    responseId: 'mAitaLmkHPPlz7IPvtfUqQ4',
  };
}

const GEMINI_USAGE = { promptTokenCount: 8, candidatesTokenCount: 12, totalTokenCount: 50, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 8 }], thoughtsTokenCount: 30 };

function sse(events: Array<[string | undefined, Json | string]>): string[] {
  return events.map(([event, data]) => `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** What to answer: a JSON body, or SSE events written one write() each. */
function answer(path: string, body: Json): { json?: Json; events?: string[] } | undefined {
  const model = typeof body.model === 'string' ? body.model : '';
  const stream = body.stream === true;
  if (path.endsWith('/chat/completions') && model.includes('/')) {
    // OpenRouter's shape: a vendor-prefixed model, and the USD it billed in usage.cost.
    const json = chatCompletion(model);
    return { json: { ...json, usage: { ...(json.usage as Json), cost: 0.00042 } } };
  }
  if (path.endsWith('/chat/completions')) {
    const answered = `${model}-2024-07-18`;
    return stream ? { events: sse([...chatChunks(answered).map((c): [undefined, Json] => [undefined, c]), [undefined, '[DONE]']]) } : { json: chatCompletion(answered) };
  }
  if (path.endsWith('/responses')) return stream ? { events: sse(responseEvents(model)) } : { json: response(model, true) };
  if (path.endsWith('/embeddings')) return { json: embeddings(model, body.encoding_format === 'base64', Array.isArray(body.input) ? body.input.length : 1) };
  if (path.endsWith('/v1/messages')) return stream ? { events: sse(anthropicEvents(model)) } : { json: anthropicMessage(model) };
  const gemini = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  if (gemini !== null) {
    const version = gemini[1];
    if (gemini[2] === 'generateContent') return { json: geminiChunk(version, SECRET_ANSWER, GEMINI_USAGE) };
    return {
      events: sse([
        [undefined, geminiChunk(version, 'the-launch-', { promptTokenCount: 8, totalTokenCount: 8 })],
        [undefined, geminiChunk(version, 'code-is-4471', GEMINI_USAGE)],
      ]).map((e) => e.replace(/\n\n$/, '\r\n\r\n')),
    };
  }
  return undefined;
}

export async function startFakeLlmProvider(): Promise<FakeLlmProvider> {
  const sent: Buffer[] = [];
  const server = http.createServer((request, res) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://x');
      let body: Json = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Json;
      } catch {
        // an empty or non-JSON request gets the 404 below
      }
      // model "error-429": the provider's rate-limit answer, in OpenAI's error shape.
      if (body.model === 'error-429') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }));
        return;
      }
      const found = answer(url.pathname, body);
      if (found === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      if (found.json !== undefined) {
        const bytes = Buffer.from(JSON.stringify(found.json));
        sent.push(bytes);
        if (request.headers['x-fake-gzip'] === '1') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(zlib.gzipSync(bytes));
        } else res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length }).end(bytes);
        return;
      }
      // model "cut-after-N": the connection drops after N events, as a provider's stream cut short would.
      const cut = /^cut-after-(\d+)$/.exec(String(body.metadata === undefined ? '' : (body.metadata as Json).user_id));
      const events = cut === null ? (found.events ?? []) : (found.events ?? []).slice(0, Number(cut[1]));
      sent.push(Buffer.from(events.join('')));
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      // One write per event, each on its own turn of the loop, the way a provider streams them.
      let i = 0;
      const next = (): void => {
        if (i === events.length) {
          if (cut === null) res.end();
          else res.destroy();
          return;
        }
        res.write(events[i++]);
        setImmediate(next);
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
