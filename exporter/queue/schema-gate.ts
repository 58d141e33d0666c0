/**
 * Inserts wait for the schema: migrations, then the repair of tables dropped behind our back, run before the first
 * insert and, while the engine is down at start, retried at most once per probe interval.
 */
import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { migrate } from '../../schemas/migrate';
import { repairSchema } from '../../schemas/repair-schema';
import type { RetentionOptions } from '../../schemas/retention';
import type { QueryEngine } from '../sinks/query-engine';
import type { PipelineStats } from './pipeline-stats';

export interface SchemaGateOptions {
  /** False: the schema is someone else's job, and the gate is always open. */
  readonly migrate: boolean;
  readonly retention: RetentionOptions;
  /** Shortest time between two attempts after a failure. */
  readonly probeIntervalMs: number;
}

export class SchemaGate {
  /** Done, running, or failed at `failedAt` (an engine down at start). */
  private done = false;
  private running: Promise<boolean> | undefined;
  private failedAt = 0;
  private lastError = '';
  /** Tables or views still missing after the repair; '' when the schema is whole. */
  private missingObjects = '';

  constructor(
    private readonly engine: QueryEngine,
    private readonly options: SchemaGateOptions,
    private readonly stats: PipelineStats,
  ) {}

  /** Never throws: true once the schema is in place; false after a failure (logged, counted, retried by later calls). */
  ensure(): Promise<boolean> {
    if (!this.options.migrate || this.done) return Promise.resolve(true);
    if (this.running) return this.running;
    if (this.failedAt && Date.now() - this.failedAt < this.options.probeIntervalMs) return Promise.resolve(false);
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Why rows cannot be stored whatever the engine does (tables missing after the repair), or undefined. */
  problem(): string | undefined {
    return this.missingObjects ? `tables missing after re-running the migrations: ${this.missingObjects}` : undefined;
  }

  private async run(): Promise<boolean> {
    const { retention } = this.options;
    try {
      await context.with(suppressTracing(context.active()), async () => {
        await migrate(this.engine, retention);
        // schema_migrations says what was applied, not what is there: a dropped table is re-created here.
        const repair = await repairSchema(this.engine, retention);
        this.missingObjects = repair.stillMissing.join(', ');
      });
      this.done = true;
      return true;
    } catch (error) {
      this.failedAt = Date.now();
      const message = `migrations failed: ${(error as Error).message}`;
      // Retried once per probe interval while the engine is down: log a failure once, not every attempt.
      const repeated = message === this.lastError;
      this.lastError = message;
      this.stats.lastInsertError = message;
      this.stats.lastInsertErrorAt = new Date().toISOString();
      if (!repeated) diag.error(`otel-activity: schema migrations failed on the ${this.engine.kind} sink: ${(error as Error).message}`);
      return false;
    }
  }
}
