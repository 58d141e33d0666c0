/**
 * What in-process export needs from the server package (`otel-activity-server/inprocess`): a sender of OTLP
 * protobuf bodies into ClickHouse. The SDK owns the shape; the server implements it.
 */
import type { SendOutcome } from './otlp-request';

export interface InProcessSender {
  send(body: Uint8Array): Promise<SendOutcome>;
  shutdown(): Promise<void>;
}

/**
 * What the SDK passes: only what it owns. The server reads its own exporter settings (env, OTEL_ACTIVITY_CONFIG),
 * so the app's SDK never holds server config.
 */
export interface InProcessSenderOptions {
  /** sdk.strict: the first problem in the exporter's settings is thrown (a ConfigError) instead of told. */
  readonly strict: boolean;
  /** Told each problem in the exporter's settings, on one line ending with what is used instead. */
  readonly onProblem: (message: string) => void;
}
