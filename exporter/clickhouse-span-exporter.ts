/**
 * The OTel SpanExporter that writes activity spans as rows into ClickHouse (embedded chDB or a server): the activity
 * pipeline (activity-pipeline.ts) with OTel's export() on top, converting each ReadableSpan on the way in.
 */
import { ExportResultCode, globalErrorHandler, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ActivityPipeline } from './activity-pipeline';
import type { ActivityPipelineOptions } from './activity-pipeline-types';
import { readableSpanToActivitySpan } from './normalize/from-readable-span';

export type ClickHouseSpanExporterOptions = ActivityPipelineOptions;

export class ClickHouseSpanExporter extends ActivityPipeline implements SpanExporter {
  /** SpanExporter: converts, enqueues, answers at once. Never throws; calls back exactly once. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let result: ExportResult;
    try {
      if (this.isShutdown) {
        result = { code: ExportResultCode.FAILED, error: new Error('ClickHouseSpanExporter is shut down') };
      } else {
        this.enqueueSpans(spans, (span) => readableSpanToActivitySpan(span));
        result = { code: ExportResultCode.SUCCESS };
      }
    } catch (error) {
      globalErrorHandler(error as Error);
      result = { code: ExportResultCode.FAILED, error: error as Error };
    }
    resultCallback(result);
  }
}
