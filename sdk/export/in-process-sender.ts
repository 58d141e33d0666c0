/**
 * What in-process export needs from the server package (`otel-activity-server/inprocess`): a sender of OTLP
 * protobuf bodies into ClickHouse. The SDK owns the shape; the server implements it.
 */
import type { SendOutcome } from './otlp-request';

export interface InProcessSender {
  send(body: Uint8Array): Promise<SendOutcome>;
  shutdown(): Promise<void>;
}
