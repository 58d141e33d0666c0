/**
 * In-process mode's sender for the app's buffered export processor: an OTLP/protobuf batch (the same bytes the OTLP
 * mode would POST, so the buffer, its exit hand-off and its replay at the next start are one mechanism for both
 * modes) decoded and handed to the ActivityPipeline, 'sent' once durable (inserted or in its spool).
 */
import type { InProcessSender, InProcessSenderOptions } from 'otel-activity/contract';
import { loadExporterConfig } from './config';
import { ActivityPipeline } from './activity-pipeline';
import { otlpToActivitySpans } from './normalize/from-otlp';
import { otlpProtoCodec } from './service/otlp-proto';

/** The exporter section is read here, from the app's environment and config file: the SDK holds no server settings. */
export function createInProcessSender(options: InProcessSenderOptions): InProcessSender {
  const pipeline = new ActivityPipeline({ config: loadExporterConfig(options) });
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
