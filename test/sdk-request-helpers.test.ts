import { describe, expect, it } from 'vitest';
import { authEventForStatus, compileAuthRoutes } from '../sdk/auth/auth-routes';
import { costUsd, createPriceTable } from '../sdk/external/price-table';
import { createServiceMap } from '../sdk/external/service-map';
import { anonymizeIp } from '../sdk/request/anonymize-ip';
import { createQueryRedactor, redactUrl } from '../sdk/request/redact-query';
import { routeTemplate } from '../sdk/request/route-template';
import { compileSkipList } from '../sdk/request/skip-list';
import { createUserAgentParser } from '../sdk/request/user-agent';

describe('routeTemplate', () => {
  it('replaces numeric, UUID, hex and long token segments with :id', () => {
    expect(routeTemplate('/users/42')).toBe('/users/:id');
    expect(routeTemplate('/orders/3f2b8c1e-9a4d-4c7e-8f00-1234567890ab/items/7')).toBe('/orders/:id/items/:id');
    expect(routeTemplate('/commits/deadbeef01')).toBe('/commits/:id');
    expect(routeTemplate('/share/aB3dE5gH7jK9mN1pQ')).toBe('/share/:id');
    expect(routeTemplate('/files/abcdefghijklmnopqrstuvwxyzabcdefgh')).toBe('/files/:id');
  });

  it('keeps words, versions and short mixed segments', () => {
    expect(routeTemplate('/api/users/login')).toBe('/api/users/login');
    expect(routeTemplate('/api/v2/health')).toBe('/api/v2/health');
    expect(routeTemplate('/')).toBe('/');
    expect(routeTemplate('/settings/facebook')).toBe('/settings/facebook');
    expect(routeTemplate('/users/42?tab=1')).toBe('/users/:id');
  });
});

describe('anonymizeIp', () => {
  it('truncates IPv4 to its /24', () => {
    expect(anonymizeIp('203.0.113.77', 'anonymize')).toBe('203.0.113.0');
    expect(anonymizeIp('203.0.113.77:51234', 'anonymize')).toBe('203.0.113.0');
  });

  it('truncates IPv6 to its /48, expanding ::', () => {
    expect(anonymizeIp('2001:db8:85a3:8d3:1319:8a2e:370:7348', 'anonymize')).toBe('2001:db8:85a3::');
    expect(anonymizeIp('2001:db8::1', 'anonymize')).toBe('2001:db8:0::');
    expect(anonymizeIp('::1', 'anonymize')).toBe('0:0:0::');
    expect(anonymizeIp('fe80::1%eth0', 'anonymize')).toBe('fe80:0:0::');
    expect(anonymizeIp('[2001:DB8:abcd:12::5]', 'anonymize')).toBe('2001:db8:abcd::');
  });

  it('treats IPv4-mapped IPv6 as IPv4', () => {
    expect(anonymizeIp('::ffff:198.51.100.23', 'anonymize')).toBe('198.51.100.0');
    expect(anonymizeIp('::ffff:198.51.100.23', 'full')).toBe('198.51.100.23');
  });

  it('keeps the address in full mode and drops it in drop mode or when it is not an IP', () => {
    expect(anonymizeIp('203.0.113.77', 'full')).toBe('203.0.113.77');
    expect(anonymizeIp('203.0.113.77', 'drop')).toBeUndefined();
    expect(anonymizeIp('unknown', 'anonymize')).toBeUndefined();
  });
});

describe('query redaction', () => {
  const redact = createQueryRedactor(['token', 'password', 'api_key', 'code']);

  it('redacts sensitive values case-insensitively and keeps the rest byte for byte', () => {
    expect(redact('q=shoes&TOKEN=abc123&page=2')).toBe('q=shoes&TOKEN=REDACTED&page=2');
    expect(redact('password=hunter2&api%5Fkey=x')).toBe('password=REDACTED&api%5Fkey=REDACTED');
    expect(redact('q=a%20b&sort=desc')).toBe('q=a%20b&sort=desc');
    expect(redact('code=')).toBe('code=');
  });

  it('redacts the query of a URL and drops its fragment', () => {
    expect(redactUrl('https://api.example.com/cb?code=xyz&state=1#frag', redact)).toBe('https://api.example.com/cb?code=REDACTED&state=1');
    expect(redactUrl('/plain/path', redact)).toBe('/plain/path');
  });
});

describe('skip list', () => {
  const skip = compileSkipList(['/health', '/static/', '*.css', '/assets/*.js', '/internal/**']);

  it('matches exact paths, prefixes and globs', () => {
    expect(skip('/health')).toBe(true);
    expect(skip('/static/logo.png')).toBe(true);
    expect(skip('/app/site.css')).toBe(true);
    expect(skip('/assets/app.js')).toBe(true);
    expect(skip('/internal/a/b')).toBe(true);
  });

  it('does not match other paths', () => {
    expect(skip('/healthy')).toBe(false);
    expect(skip('/api/users')).toBe(false);
    expect(skip('/assets/deep/app.js')).toBe(false);
    expect(skip('/css')).toBe(false);
  });
});

describe('auth routes', () => {
  const match = compileAuthRoutes({ 'POST /api/users/login': 'login', 'POST /api/users': 'signup', 'POST /orgs/:org/logout': 'logout' });

  it('maps method and path to the configured event', () => {
    expect(match('POST', '/api/users/login')).toBe('login');
    expect(match('POST', '/api/users/')).toBe('signup');
    expect(match('POST', '/orgs/acme/logout')).toBe('logout');
    expect(match('GET', '/api/users/login')).toBeUndefined();
    expect(match('POST', '/api/users/42')).toBeUndefined();
  });

  it('turns a failed login into login_failed and takes success from the status', () => {
    expect(authEventForStatus('login', 200)).toEqual({ event: 'login', success: true });
    expect(authEventForStatus('login', 401)).toEqual({ event: 'login_failed', success: false });
    expect(authEventForStatus('signup', 409)).toEqual({ event: 'signup', success: false });
  });
});

describe('external service map', () => {
  it('names known AI and backend hosts, and falls back to the host', () => {
    const serviceOf = createServiceMap({ 'llm.internal': 'private-llm', '*.eu.supabase.co': 'supabase-eu' });
    expect(serviceOf('api.openai.com')).toBe('openai');
    expect(serviceOf('generativelanguage.googleapis.com')).toBe('gemini');
    expect(serviceOf('api.anthropic.com')).toBe('anthropic');
    expect(serviceOf('abcd.supabase.co')).toBe('supabase');
    expect(serviceOf('x.eu.supabase.co')).toBe('supabase-eu');
    expect(serviceOf('LLM.internal')).toBe('private-llm');
    expect(serviceOf('example.org')).toBe('example.org');
  });
});

describe('price table', () => {
  it('prices by exact name or snapshot, with config overriding built-ins and `*` keys as prefixes', () => {
    const priceOf = createPriceTable({ 'gpt-4o': { inputPerMillion: 5, outputPerMillion: 15 }, 'my-model*': { inputPerMillion: 1, outputPerMillion: 2 } });
    expect(priceOf('gpt-4o-2024-08-06')).toEqual({ inputPerMillion: 5, outputPerMillion: 15 });
    expect(priceOf('gpt-4o-mini')).toEqual({ inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 });
    expect(priceOf('openai/gpt-4o-mini-2024-07-18')).toEqual({ inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 });
    expect(priceOf('my-model-v3')).toEqual({ inputPerMillion: 1, outputPerMillion: 2 });
    expect(priceOf('unknown-model')).toBeUndefined();
  });

  it('computes cost in USD from tokens', () => {
    expect(costUsd({ inputPerMillion: 2.5, outputPerMillion: 10 }, 1000, 500)).toBe(0.0075);
    expect(costUsd({ inputPerMillion: 0.15, outputPerMillion: 0.6 }, 3, 7)).toBe(0.00000465);
  });
});

describe('user agent parser', () => {
  const parse = createUserAgentParser(512);

  it('classifies desktop, mobile, tablet and bots', () => {
    expect(parse('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36')).toMatchObject({
      browser: 'Chrome',
      os: 'Windows',
      deviceType: 'desktop',
    });
    expect(parse('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1').deviceType).toBe('mobile');
    expect(parse('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1').deviceType).toBe('tablet');
    expect(parse('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)').deviceType).toBe('bot');
    expect(parse('curl/8.5.0').deviceType).toBe('bot');
  });

  it('caps length and removes control characters', () => {
    const parsed = createUserAgentParser(64)(`evil\r\nagent ${'x'.repeat(200)}`);
    expect(parsed.original).toHaveLength(64);
    expect(parsed.original.startsWith('evil  agent x')).toBe(true);
  });
});
