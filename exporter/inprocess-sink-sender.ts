/**
 * In-process mode's sender for the app's buffered export processor: an OTLP/protobuf batch (the same bytes the OTLP
 * mode would POST, so the buffer, its exit hand-off and its replay at the next start are one mechanism for both
 * modes) decoded and handed to the ActivityPipeline, 'sent' once durable (inserted or in its spool).
 */
import type { ExporterConfig, InProcessSender } from 'otel-activity/contract';
import { ActivityPipeline } from './activity-pipeline';
import { otlpToActivitySpans } from './normalize/from-otlp';
import { otlpProtoCodec } from './service/otlp-proto';

export function createInProcessSender(config: ExporterConfig): InProcessSender {
  const pipeline = new ActivityPipeline({ config });
  return {
    async send(body) {
      let spans;
      try {
        ({ spans } = otlpToActivitySpans(otlpProtoCodec().decodeRequest(body)));
      } catch {
        return 'rejected';
      }
      const result = await pipeline.acceptActivitySpansDurably(spans);
      return result === 'full' || !result.durable ? 'retry' : 'sent';
    },
    shutdown: () => pipeline.shutdown(),
  };
}
