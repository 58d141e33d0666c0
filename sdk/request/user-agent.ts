/**
 * User agent: the original string sanitised and capped, plus browser, OS and device type from ua-parser-js v1
 * (MIT; v2 is AGPL). Parsing costs ~80 µs, so results are cached in a small bounded map.
 */
import UAParser from 'ua-parser-js';
import { boundedMemo } from '../runtime/bounded-memo';

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'bot' | 'unknown';

export interface ParsedUserAgent {
  /** Sanitised (no control characters) and length-capped. */
  readonly original: string;
  readonly browser: string;
  readonly os: string;
  readonly deviceType: DeviceType;
}

// ua-parser v1 has no bot flag: common crawler, monitor and HTTP-library tokens.
const BOT =
  /bot\b|bot\/|crawl|spider|slurp|bingpreview|facebookexternalhit|embedly|headless|lighthouse|pingdom|uptime|monitor|curl\/|wget\/|python-requests|python-urllib|aiohttp|go-http-client|okhttp|axios\/|node-fetch|undici|java\/|libwww|httpclient|scrapy|postman|insomnia|k6\/|autocannon/i;
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f]/g;
const CACHE_LIMIT = 1000;

function classify(ua: string, type: string | undefined, osName: string | undefined): DeviceType {
  if (BOT.test(ua)) return 'bot';
  if (type === 'mobile' || type === 'wearable') return 'mobile';
  if (type === 'tablet') return 'tablet';
  if (type === 'smarttv' || type === 'console' || type === 'embedded') return 'unknown';
  // ua-parser leaves desktop devices untyped; a known desktop OS is the tell.
  if (osName !== undefined && /windows|mac os|linux|ubuntu|debian|fedora|chrom|bsd/i.test(osName)) return 'desktop';
  return 'unknown';
}

export type UserAgentParser = (header: string) => ParsedUserAgent;

/** A parser with its own cache; `maxLength` caps `original` (the cache key is the capped string). */
export function createUserAgentParser(maxLength: number): UserAgentParser {
  const parse = boundedMemo(CACHE_LIMIT, (key): ParsedUserAgent => {
    const original = CONTROL.test(key) ? key.replace(CONTROL_ALL, ' ') : key;
    const result = new UAParser(original).getResult();
    return {
      original,
      browser: result.browser.name ?? '',
      os: result.os.name ?? '',
      deviceType: classify(original, result.device.type, result.os.name),
    };
  });
  return (header) => parse(header.length > maxLength ? header.slice(0, maxLength) : header);
}
