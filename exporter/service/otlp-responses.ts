/**
 * OTLP/HTTP answers in the request's own encoding: ExportTraceServiceResponse on success (partial_success when spans
 * were rejected) and google.rpc.Status for errors, as protobuf or JSON.
 */
import type { ServerResponse } from 'node:http';
import { otlpProtoCodec } from './otlp-proto';

export type OtlpEncoding = 'protobuf' | 'json';

const CONTENT_TYPES: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** gRPC codes for google.rpc.Status.code, matching the HTTP status (as the OTLP/HTTP spec's errors do). */
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

export function sendExportResponse(response: ServerResponse, encoding: OtlpEncoding, rejectedSpans: number, message: string): void {
  const partial = rejectedSpans > 0 || message !== '';
  const body =
    encoding === 'protobuf'
      ? Buffer.from(otlpProtoCodec().encodeResponse(partial ? { rejectedSpans, errorMessage: message } : {}))
      : // int64 fields are strings in proto3 JSON.
        JSON.stringify(partial ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage: message } } : {});
  response.writeHead(200, { 'content-type': CONTENT_TYPES[encoding], 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

export function sendStatus(
  response: ServerResponse,
  encoding: OtlpEncoding,
  httpStatus: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const status = { code: RPC_CODES[httpStatus] ?? 2, message };
  const body = encoding === 'protobuf' ? Buffer.from(otlpProtoCodec().encodeStatus(status)) : JSON.stringify(status);
  response.writeHead(httpStatus, { 'content-type': CONTENT_TYPES[encoding], 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

/** The encoding a Content-Type asks for, or undefined (answer 415). */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return undefined;
}
