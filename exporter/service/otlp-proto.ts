/**
 * OTLP protobuf codec: loads the vendored official .proto files (proto/, opentelemetry-proto v1.11.0) with protobufjs
 * once, decodes ExportTraceServiceRequest and encodes ExportTraceServiceResponse and google.rpc.Status.
 */
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { packageAsset } from '../package-assets';

const SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

/** google.rpc.Status (code 1, message 2, details 3): the OTLP/HTTP error body. Not among the OTLP protos, so declared here. */
const RPC_STATUS_JSON = {
  nested: {
    google: {
      nested: {
        protobuf: { nested: { Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } } } },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
          },
        },
      },
    },
  },
};

export interface OtlpProtoCodec {
  /** Throws (protobufjs's own error) on a malformed or truncated message. */
  decodeRequest(body: Uint8Array): unknown;
  encodeResponse(response: { rejectedSpans?: number; errorMessage?: string }): Uint8Array;
  encodeStatus(status: { code: number; message: string }): Uint8Array;
}

let codec: OtlpProtoCodec | undefined;

/** The codec, built on first use and kept: parsing the .proto files takes ~20 ms. */
export function otlpProtoCodec(): OtlpProtoCodec {
  codec ??= loadCodec(protoDir());
  return codec;
}

function protoDir(): string {
  return packageAsset('service/proto');
}

function loadCodec(dir: string): OtlpProtoCodec {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(dir, target);
  root.loadSync(SERVICE_PROTO, { keepCase: false });
  const request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const response = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
  const status = protobuf.Root.fromJSON(RPC_STATUS_JSON).lookupType('google.rpc.Status');
  return {
    decodeRequest: (body) => request.decode(body),
    encodeResponse: ({ rejectedSpans, errorMessage }) =>
      response
        .encode(response.fromObject(rejectedSpans || errorMessage ? { partialSuccess: { rejectedSpans: rejectedSpans ?? 0, errorMessage: errorMessage ?? '' } } : {}))
        .finish(),
    encodeStatus: ({ code, message }) => status.encode(status.fromObject({ code, message })).finish(),
  };
}
