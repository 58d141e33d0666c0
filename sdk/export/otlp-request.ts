/**
 * One OTLP/HTTP POST of an encoded batch, outside any tracing (ours or the app's), with the OTLP spec's reading of
 * the answer: 2xx sent; 429, 502, 503, 504, a network error or a timeout retry later; any other status is final.
 */
import * as http from 'node:http';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

export type SendOutcome = 'sent' | 'retry' | 'rejected';

export interface OtlpTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly timeoutMs: number;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
// Keep-alive: a busy app sends a batch a second; free sockets are unref'd by the agent, so they never hold the process.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
// https (and with it tls) loads on the first https export: an http collector never pays its resident memory.
let secureClient: { readonly https: typeof import('node:https'); readonly agent: http.Agent } | undefined;

function client(secure: boolean): { readonly request: typeof http.request; readonly agent: http.Agent } {
  if (!secure) return { request: http.request, agent: httpAgent };
  if (secureClient === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose
    const https = require('node:https') as typeof import('node:https');
    secureClient = { https, agent: new https.Agent({ keepAlive: true, maxSockets: 2 }) };
  }
  return { request: secureClient.https.request, agent: secureClient.agent };
}

export function postOtlp(target: OtlpTarget, body: Uint8Array): Promise<SendOutcome> {
  return context.with(suppressTracing(context.active()), () => send(target, body));
}

function send(target: OtlpTarget, body: Uint8Array): Promise<SendOutcome> {
  return new Promise<SendOutcome>((resolve) => {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      resolve('rejected');
      return;
    }
    const { request: open, agent } = client(url.protocol === 'https:');
    const request = open(url, {
      method: 'POST',
      agent,
      headers: { ...target.headers, 'content-type': target.contentType, 'content-length': body.byteLength },
      timeout: target.timeoutMs,
    });
    let settled = false;
    const settle = (outcome: SendOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    request.on('response', (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      settle(status >= 200 && status < 300 ? 'sent' : RETRYABLE.has(status) ? 'retry' : 'rejected');
    });
    request.on('timeout', () => request.destroy(new Error('OTLP export timed out')));
    request.on('error', () => settle('retry'));
    request.end(body);
  });
}
