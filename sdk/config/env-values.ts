/**
 * Environment strings turned into typed option values, by the option's kind: lists comma-separated or JSON, maps
 * key=value pairs or JSON, booleans as true/1/yes/on. Text that does not parse becomes a value the schema rejects.
 */
import type { ConfigField } from './config-fields';

/** key=value,key=value with URL-decoded values (the W3C baggage / OTEL_EXPORTER_OTLP_HEADERS format). */
function parsePairs(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Turns an environment string into the field's type; invalid text becomes a value that fails validation. */
export function parseEnvValue(field: ConfigField, raw: string): unknown {
  const text = raw.trim();
  switch (field.type.kind) {
    case 'string':
    case 'url':
      return text;
    case 'enum':
      return text.toLowerCase();
    case 'number':
      return text === '' ? NaN : Number(text);
    case 'boolean': {
      const lower = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return true;
      if (['false', '0', 'no', 'off'].includes(lower)) return false;
      return undefined;
    }
    case 'stringList':
      if (text.startsWith('[')) return parseJson(text);
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'stringMap':
      return text.startsWith('{') ? parseJson(text) : parsePairs(text);
    case 'numberMap': {
      if (text.startsWith('{')) return parseJson(text);
      const pairs = parsePairs(text);
      if (pairs === undefined) return undefined;
      return Object.fromEntries(Object.entries(pairs).map(([key, value]) => [key, value === '' ? NaN : Number(value)]));
    }
    case 'priceMap':
      return parseJson(text);
  }
}
