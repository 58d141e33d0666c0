/**
 * Model and token usage from the start and end of an LLM API response body (plain JSON or SSE), in the shapes
 * OpenAI (chat completions, Responses, embeddings, and the many APIs that copy them), Anthropic messages and
 * Gemini generateContent publish. Only `model`, `modelVersion`, `usage` and `usageMetadata` are read.
 */
import type { TokenUsage } from './token-usage';

export interface ResponseUsage extends TokenUsage {
  readonly model: string | undefined;
  /** USD the provider says it billed (OpenRouter's and LiteLLM's `usage.cost`), when it says so. */
  readonly reportedCostUsd?: number;
}

type Raw = Record<string, unknown>;

const MODEL_RE = /"model"\s*:\s*"((?:[^"\\]|\\.){1,256})"/;
const MODEL_VERSION_RE = /"modelVersion"\s*:\s*"((?:[^"\\]|\\.){1,256})"/g;
const USAGE_RE = /"(usage|usageMetadata)"\s*:\s*\{/g;

/**
 * `head` is the body's first bytes and `tail` its last (the same text when the whole body fit). Undefined when no
 * usage object is found (not an LLM response, an error, or a stream cut before its usage).
 */
export function usageFromResponseText(head: string, tail: string, whole: boolean): ResponseUsage | undefined {
  const text = whole ? head : undefined;
  let usage: Raw = {};
  let gemini: Raw = {};
  let found = false;
  // Streams repeat usage (Anthropic: input in message_start, output in message_delta; Gemini: running totals in
  // every chunk): later fields win. A plain body has one top-level usage, after any content that could hold
  // the same key inside a tool call's arguments, so there too the last one is the real one.
  for (const part of text !== undefined ? [text] : [head, tail]) {
    for (const [key, object] of usageObjects(part)) {
      found = true;
      if (key === 'usage') usage = { ...usage, ...object };
      else gemini = { ...gemini, ...object };
    }
  }
  if (!found) return undefined;
  const model = modelOf(text ?? head) ?? modelOf(text ?? tail) ?? lastModelVersion(text ?? tail) ?? lastModelVersion(text ?? head);
  const tokens = Object.keys(gemini).length > 0 ? fromGemini(gemini) : fromUsage(usage);
  const cost = usage.cost;
  return typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? { model, ...tokens, reportedCostUsd: cost } : { model, ...tokens };
}

function* usageObjects(text: string): Generator<[string, Raw]> {
  USAGE_RE.lastIndex = 0;
  for (let match = USAGE_RE.exec(text); match !== null; match = USAGE_RE.exec(text)) {
    const start = match.index + match[0].length - 1;
    const end = objectEnd(text, start);
    if (end === -1) continue; // cut by the sample's edge or a truncated stream
    try {
      const value = JSON.parse(text.slice(start, end + 1)) as unknown;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) yield [match[1], value as Raw];
    } catch {
      // not JSON after all: skip it
    }
    USAGE_RE.lastIndex = end + 1;
  }
}

/** Index of the `}` closing the object opened at `start`, or -1 when the text ends first. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i;
  }
  return -1;
}

function modelOf(text: string): string | undefined {
  const match = MODEL_RE.exec(text);
  return match === null ? undefined : unescape(match[1]);
}

function lastModelVersion(text: string): string | undefined {
  let last: string | undefined;
  MODEL_VERSION_RE.lastIndex = 0;
  for (let match = MODEL_VERSION_RE.exec(text); match !== null; match = MODEL_VERSION_RE.exec(text)) last = match[1];
  return last === undefined ? undefined : unescape(last);
}

function unescape(jsonText: string): string {
  try {
    return JSON.parse(`"${jsonText}"`) as string;
  } catch {
    return jsonText;
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function detail(object: unknown, key: string): number {
  return typeof object === 'object' && object !== null ? count((object as Raw)[key]) : 0;
}

/** OpenAI chat/embeddings (prompt_/completion_tokens), OpenAI Responses and Anthropic (input_/output_tokens). */
function fromUsage(u: Raw): TokenUsage {
  if ('prompt_tokens' in u || 'completion_tokens' in u) {
    return {
      inputTokens: count(u.prompt_tokens),
      outputTokens: count(u.completion_tokens),
      cacheReadTokens: detail(u.prompt_tokens_details, 'cached_tokens'),
      cacheWriteTokens: 0,
      reasoningTokens: detail(u.completion_tokens_details, 'reasoning_tokens'),
    };
  }
  // Anthropic counts cache reads and writes apart from input_tokens; OpenAI's Responses API includes them.
  const cacheRead = count(u.cache_read_input_tokens);
  const cacheWrite = count(u.cache_creation_input_tokens);
  const anthropic = 'cache_read_input_tokens' in u || 'cache_creation_input_tokens' in u;
  return {
    inputTokens: count(u.input_tokens) + (anthropic ? cacheRead + cacheWrite : 0),
    outputTokens: count(u.output_tokens),
    cacheReadTokens: anthropic ? cacheRead : detail(u.input_tokens_details, 'cached_tokens'),
    cacheWriteTokens: cacheWrite,
    reasoningTokens: detail(u.output_tokens_details, 'reasoning_tokens'),
  };
}

/** Gemini: promptTokenCount includes the cached ones; thoughts are billed as output but counted apart. */
function fromGemini(u: Raw): TokenUsage {
  const thoughts = count(u.thoughtsTokenCount);
  return {
    inputTokens: count(u.promptTokenCount) + count(u.toolUsePromptTokenCount),
    outputTokens: count(u.candidatesTokenCount) + thoughts,
    cacheReadTokens: count(u.cachedContentTokenCount),
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}
