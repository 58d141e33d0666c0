/**
 * A stand-in for an LLM API on 127.0.0.1 for the demo: POST /v1/chat/completions answers in OpenAI's shape with a
 * deterministic token usage (so the demo's cost report is the same on every run). No network, no model.
 * Prints {"port": N} on its first stdout line; SIGTERM stops it.
 */
'use strict';
const http = require('node:http');

/** Roughly 4 characters per token, like OpenAI's rule of thumb; at least 1. */
function tokensOf(text) {
  return Math.max(1, Math.ceil(text.length / 4));
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } }));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'body must be JSON', type: 'invalid_request_error' } }));
      return;
    }
    const prompt = (body.messages ?? []).map((m) => String(m.content ?? '')).join('\n');
    const answer = `Echo: ${prompt.slice(0, 200)}`;
    const promptTokens = tokensOf(prompt) + 12;
    const completionTokens = tokensOf(answer) * 3;
    const payload = {
      id: `chatcmpl-demo-${promptTokens}-${completionTokens}`,
      object: 'chat.completion',
      created: 1763884800,
      model: body.model ?? 'gpt-4.1-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
    const text = JSON.stringify(payload);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
