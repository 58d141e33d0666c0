/**
 * Memory bounded by construction: 200 concurrent gzip bodies that inflate to 15 MiB each hold the service to its body
 * budget (429 with Retry-After before or while reading, RSS sampled), valid requests sent beside them are stored once
 * each after their retries; an arrayValue nested 5,000 deep is a 400-free request (the valid spans beside it are
 * stored); a window parameter past what the engine holds is a 400.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRss } from '../bench/lib/child-process';
import { BodyBudget } from '../exporter/service/body-budget';
import { encodeSpans, makeSpans, post, type PostResult } from './helpers/otlp-sender';
import { requireBuiltCli, createService, type ServiceProcess } from './helpers/service-process';

const BUDGET_MIB = 64;
let service: ServiceProcess;

beforeAll(async () => {
  requireBuiltCli();
  service = await createService({
    env: { OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '100', OTEL_ACTIVITY_ALERT_INTERVAL_MS: '0', OTEL_ACTIVITY_BODY_BUDGET_BYTES: String(BUDGET_MIB * 1024 * 1024) },
  });
  await service.start();
}, 90_000);

afterAll(async () => {
  await service?.dispose();
}, 60_000);

/** Sends until 200, honouring Retry-After like an exporter (capped at 200 ms here); returns the attempts. */
async function sendUntilStored(url: string, body: Buffer): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const result = await post(url, body, { contentType: 'application/x-protobuf', headers: { 'content-encoding': 'gzip' } });
    if (result.status === 200) return attempt;
    if (result.status !== 429 && result.status !== 0) throw new Error(`answered ${result.status}: ${result.body.toString()}`);
    if (attempt > 500) throw new Error('never stored');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('BodyBudget', () => {
  it('holds what leases declared and read, refuses past the budget, gives everything back once', () => {
    const budget = new BodyBudget(100, 10); // raised to 2 × 10 only if that were larger
    const a = budget.lease(30)!;
    expect(budget.usedBytes).toBe(30);
    expect(a.add(20)).toBe(true); // within what it declared
    expect(budget.usedBytes).toBe(30);
    expect(a.add(30)).toBe(true); // 50 read: 20 more held
    expect(budget.usedBytes).toBe(50);
    const b = budget.lease(50)!;
    expect(budget.usedBytes).toBe(100);
    expect(budget.lease(0)).toBeUndefined(); // full: nothing new starts reading
    expect(b.add(51)).toBe(false);
    expect(budget.usedBytes).toBe(100);
    a.release();
    a.release();
    expect(budget.usedBytes).toBe(50);
    expect(budget.lease(51)).toBeUndefined();
    b.release();
    expect(budget.usedBytes).toBe(0);
    expect(new BodyBudget(1024, 4096).maxBytes).toBe(8192);
  });
});

describe('memory bounded', () => {
  it('200 concurrent gzip bodies inflating to 15 MiB each: 429 past the body budget, RSS bounded, valid bodies beside them stored once', async () => {
    const pid = service.pid!;
    const before = readRss(pid)!;
    // 15 MiB of zeros gzip to ~15 KB: under maxBodyBytes once inflated, and not a protobuf request (400 once decoded).
    const bomb = gzipSync(Buffer.alloc(15 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    const valid = Array.from({ length: 20 }, (_, i) => gzipSync(encodeSpans(makeSpans(0xb0d, i * 10, 10, ['access']), 'protobuf')));
    let peak = before.peakMiB;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rss = readRss(pid);
        if (rss) peak = Math.max(peak, rss.rssMiB, rss.peakMiB);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const bombs: Promise<PostResult>[] = Array.from({ length: 200 }, () =>
      post(service.tracesUrl, bomb, { contentType: 'application/x-protobuf', headers: { 'content-encoding': 'gzip' } }),
    );
    const attempts = await Promise.all(valid.map((body) => sendUntilStored(service.tracesUrl, body)));
    const results = await Promise.all(bombs);
    sampling = false;
    await sampler;

    const statuses: Record<string, number> = {};
    for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    console.log(
      `[reliability] 200 gzip bombs (15 MiB each inflated) + 20 valid: statuses ${JSON.stringify(statuses)}, valid attempts ${attempts.reduce((a, b) => a + b, 0)}, ` +
        `RSS before ${before.rssMiB.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB`,
    );
    // Every bomb is refused: 429 (budget) or 400 (read, inflated, not protobuf); nothing else, no crash.
    expect(Object.keys(statuses).filter((s) => s !== '429' && s !== '400')).toEqual([]);
    expect(statuses['429']).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 429).every((r) => r.headers['retry-after'] === '2')).toBe(true);
    expect(service.running()).toBe(true);
    // 200 × 15 MiB would be 3 GiB; held to the 64 MiB budget (plus copies while a body is joined and decoded).
    expect(peak - before.rssMiB).toBeLessThan(400);
    const ids = valid.flatMap((_, i) => makeSpans(0xb0d, i * 10, 10, ['access']).map((s) => s.spanContext().spanId));
    expect(await service.waitForCount('SELECT count() AS n FROM access_log WHERE span_id IN {ids:Array(String)}', { ids }, 200)).toBe(200);
    expect(await service.query('SELECT count() AS n, uniqExact(span_id) AS u FROM access_log WHERE span_id IN {ids:Array(String)}', { ids })).toEqual([{ n: 200, u: 200 }]);
  }, 180_000);

  it('an OTLP/JSON arrayValue nested 5,000 deep is dropped and the spans of the request are stored (200, not 500)', async () => {
    const spans = makeSpans(0xdee, 0, 3, ['access']);
    const request = JSON.parse(Buffer.from(encodeSpans(spans, 'json')).toString('utf8')) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ attributes: unknown[] }> }> }>;
    };
    const marker = '"__deep__"';
    request.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.attributes.push({ key: 'deep', value: marker });
    const deep = '{"arrayValue":{"values":['.repeat(5000) + '{"stringValue":"x"}' + ']}}'.repeat(5000);
    const body = JSON.stringify(request).replace(JSON.stringify(marker), deep);
    const result = await post(service.tracesUrl, body, { contentType: 'application/json' });
    expect(result.status, result.body.toString()).toBe(200);
    const ids = spans.map((s) => s.spanContext().spanId);
    expect(await service.waitForCount('SELECT count() AS n FROM access_log WHERE span_id IN {ids:Array(String)}', { ids }, 3)).toBe(3);
  });

  it('answers 400, naming the limit, for a report window past what the engine holds', async () => {
    for (const query of ['since=99999999d', 'since=50000d', 'from=1800-01-01', 'to=2400-01-01']) {
      const response = await fetch(`${service.baseUrl}/api/reports/top-routes?${query}`, { headers: { authorization: `Bearer ${service.adminToken}` } });
      const text = await response.text();
      expect(response.status, `${query}: ${text}`).toBe(400);
    }
    const response = await fetch(`${service.baseUrl}/api/reports/top-routes?since=99999999d`, { headers: { authorization: `Bearer ${service.adminToken}` } });
    expect(await response.json()).toEqual({ error: expect.stringMatching(/^--since 99999999d reaches back before 1900-01-01; use at most \d+d$/) as unknown });
  });
});
