/**
 * Runs the alert rules, writes an alert for each newly breaching subject (never a second one while an alert for the
 * same rule + subject is open or acknowledged), resolves alerts whose condition has cleared, and POSTs new alerts
 * to an optional webhook. Used on a schedule by the service and on demand by `otel-activity alerts`.
 */
import { diag } from '@opentelemetry/api';
import type { Sink } from '../sinks/sink';
import { loadAlertRules, ruleParams, type AlertRule } from './alert-rules';
import { laterThan, listAlerts, newAlert, writeAlerts, type AlertRecord } from './alert-store';
import { toClickHouseTime } from '../rows/format-timestamp';

export interface AlertEvaluatorOptions {
  readonly sink: Sink;
  /** service.alertThresholds: `<rule>` → threshold, `<rule>.<param>` → other parameters. */
  readonly thresholds?: Readonly<Record<string, number>>;
  /** service.alertWebhookUrl; '' or undefined: no delivery. */
  readonly webhookUrl?: string;
  readonly rules?: readonly AlertRule[];
  readonly now?: () => Date;
  readonly webhookTimeoutMs?: number;
}

export interface EvaluationResult {
  readonly fired: AlertRecord[];
  readonly resolved: AlertRecord[];
  /** Rules that failed to run (missing table, bad threshold), with the error; other rules still ran. */
  readonly failures: Array<{ rule: string; error: string }>;
  readonly webhookError?: string;
}

interface Breach {
  service: string;
  subject: string;
  value: number;
  details: string;
}

export class AlertEvaluator {
  private readonly rules: readonly AlertRule[];
  private readonly now: () => Date;

  constructor(private readonly options: AlertEvaluatorOptions) {
    this.rules = options.rules ?? loadAlertRules();
    this.now = options.now ?? (() => new Date());
  }

  ruleNames(): string[] {
    return this.rules.map((r) => r.name);
  }

  async evaluate(): Promise<EvaluationResult> {
    const now = this.now();
    const active = await listAlerts(this.options.sink, { statuses: ['open', 'acknowledged'] });
    const activeByKey = new Map(active.map((a) => [`${a.rule}\u0000${a.subject}`, a]));
    const fired: AlertRecord[] = [];
    const resolved: AlertRecord[] = [];
    const failures: Array<{ rule: string; error: string }> = [];
    for (const rule of this.rules) {
      let breaches: Breach[];
      let params: Record<string, number>;
      try {
        params = ruleParams(rule, this.options.thresholds ?? {});
        breaches = await this.options.sink.query<Breach>(rule.sql, { ...params, now: toClickHouseTime(now) });
      } catch (error) {
        failures.push({ rule: rule.name, error: (error as Error).message });
        diag.warn(`otel-activity: alert rule ${rule.name} failed: ${(error as Error).message}`);
        continue;
      }
      const breaching = new Set<string>();
      for (const breach of breaches) {
        const key = `${rule.name}\u0000${breach.subject}`;
        breaching.add(key);
        if (activeByKey.has(key)) continue;
        const alert = newAlert(
          { service: breach.service, rule: rule.name, severity: rule.severity, subject: breach.subject, value: Number(breach.value), threshold: params.threshold, details: breach.details },
          now,
        );
        activeByKey.set(key, alert);
        fired.push(alert);
      }
      for (const alert of active) {
        if (alert.rule !== rule.name || breaching.has(`${alert.rule}\u0000${alert.subject}`)) continue;
        const at = laterThan(alert.updated_at, now);
        resolved.push({ ...alert, status: 'resolved', resolved_at: at, updated_at: at });
      }
    }
    await writeAlerts(this.options.sink, [...fired, ...resolved]);
    const webhookError = fired.length ? await this.deliver(fired) : undefined;
    return { fired, resolved, failures, ...(webhookError ? { webhookError } : {}) };
  }

  /** Starts evaluating every `intervalMs`; returns a stop function. The timer does not keep the process alive. */
  schedule(intervalMs: number): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.evaluate()
        .catch((error: unknown) => diag.error(`otel-activity: alert evaluation failed: ${String(error)}`))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async deliver(alerts: readonly AlertRecord[]): Promise<string | undefined> {
    const url = this.options.webhookUrl;
    if (!url) return undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'otel-activity', alerts }),
        signal: AbortSignal.timeout(this.options.webhookTimeoutMs ?? 5_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return undefined;
    } catch (error) {
      const message = `alert webhook ${url} failed: ${(error as Error).message}`;
      diag.warn(`otel-activity: ${message}`);
      return message;
    }
  }
}

/**
 * For the service: evaluates the rules every service.alertIntervalMs (0 = never) with the configured thresholds and
 * webhook; returns a stop function for shutdown.
 */
export function startAlertSchedule(
  sink: Sink,
  service: { readonly alertIntervalMs: number; readonly alertThresholds: Readonly<Record<string, number>>; readonly alertWebhookUrl: string },
): () => void {
  if (service.alertIntervalMs <= 0) return () => {};
  return new AlertEvaluator({ sink, thresholds: service.alertThresholds, webhookUrl: service.alertWebhookUrl }).schedule(service.alertIntervalMs);
}
