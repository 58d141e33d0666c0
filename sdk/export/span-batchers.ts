/**
 * Where ended spans wait for their batch. Protobuf: each span is encoded into its scope's bytes the moment it ends,
 * so nothing holds the span object until the batch goes (an SDK span kept up to a second survives V8's young
 * generation and is copied and promoted by the GC; measured in bench/request-instructions.ts). A batch is sealed by
 * copying the groups' bytes under their resource and scope headers. JSON keeps the spans and encodes at the end.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { scopeKey, writeResource, writeScope, writeSpan, type Resource, type Scope } from './otlp-trace-encoder';
import { ProtoWriter } from './proto-writer';

export interface EncodedBatch {
  readonly body: Uint8Array;
  readonly spans: number;
}

/** Ended spans in the order they ended, taken as encoded batches. */
export interface SpanBatcher {
  /** Spans added and not taken yet. */
  readonly size: number;
  /** Spans in a full batch. */
  readonly maxBatchSize: number;
  /** Throws when the span cannot be encoded (then it is not added). */
  add(span: ReadableSpan): void;
  /** The oldest spans, at most one batch of them; undefined when there are none. Throws when encoding fails. */
  take(): EncodedBatch | undefined;
  /** Gives back a body from take() once nothing reads it any more. */
  release(body: Uint8Array): void;
}

/** Keeps the spans and encodes a batch when it is taken. */
export class SpanListBatcher implements SpanBatcher {
  private spans: ReadableSpan[] = [];

  constructor(
    private readonly encode: (spans: ReadableSpan[]) => Uint8Array,
    readonly maxBatchSize = 512,
    private readonly onRelease?: (body: Uint8Array) => void,
  ) {}

  get size(): number {
    return this.spans.length;
  }

  add(span: ReadableSpan): void {
    this.spans.push(span);
  }

  take(): EncodedBatch | undefined {
    if (this.spans.length === 0) return undefined;
    const batch = this.spans.length <= this.maxBatchSize ? this.spans : this.spans.slice(0, this.maxBatchSize);
    this.spans = batch === this.spans ? [] : this.spans.slice(batch.length);
    return { body: this.encode(batch), spans: batch.length };
  }

  release(body: Uint8Array): void {
    this.onRelease?.(body);
  }
}

/** The encoded spans of one resource and scope in the open batch. */
interface Group {
  readonly resource: Resource;
  readonly scope: Scope;
  readonly spans: ProtoWriter;
  count: number;
}

/** Encodes each span as it is added; a batch is sealed at maxBatchSize spans, or when taken. */
export class ProtobufSpanBatcher implements SpanBatcher {
  private readonly groups = new Map<Resource, Map<string, Group>>();
  /** Groups of the open batch in first-seen order: the order OTLP nests them in (as encodeTraceRequest does). */
  private order: Group[] = [];
  private open = 0;
  private readonly sealed: EncodedBatch[] = [];
  private sealedSpans = 0;
  private readonly body = new ProtoWriter();
  /** The group the last span went to: nearly every span has the same resource and scope as the one before. */
  private last: Group | undefined;

  constructor(readonly maxBatchSize = 512) {}

  get size(): number {
    return this.sealedSpans + this.open;
  }

  add(span: ReadableSpan): void {
    const group = this.groupOf(span);
    const before = group.spans.length;
    try {
      writeSpan(group.spans, span);
    } catch (error) {
      group.spans.truncate(before);
      throw error;
    }
    if (group.count++ === 0) this.order.push(group);
    if (++this.open >= this.maxBatchSize) this.seal();
  }

  take(): EncodedBatch | undefined {
    if (this.sealed.length === 0) this.seal();
    const batch = this.sealed.shift();
    if (batch !== undefined) this.sealedSpans -= batch.spans;
    return batch;
  }

  release(body: Uint8Array): void {
    this.body.release(body);
  }

  private groupOf(span: ReadableSpan): Group {
    const last = this.last;
    if (last !== undefined && last.resource === span.resource && last.scope === span.instrumentationScope) return last;
    let byScope = this.groups.get(span.resource);
    if (byScope === undefined) this.groups.set(span.resource, (byScope = new Map()));
    const key = scopeKey(span.instrumentationScope);
    let group = byScope.get(key);
    if (group === undefined) {
      group = { resource: span.resource, scope: span.instrumentationScope, spans: new ProtoWriter(16 * 1024), count: 0 };
      byScope.set(key, group);
    }
    this.last = group;
    return group;
  }

  private seal(): void {
    if (this.open === 0) return;
    try {
      this.sealed.push({ body: this.encodeOpen(), spans: this.open });
      this.sealedSpans += this.open;
    } finally {
      // A resource that cannot be encoded loses this batch (the caller counts it), never blocks the next ones.
      for (const group of this.order) {
        group.spans.truncate(0);
        group.count = 0;
      }
      this.open = 0;
      this.order = [];
    }
  }

  private encodeOpen(): Uint8Array {
    const w = this.body;
    // Whatever a failed seal left half-written goes.
    w.truncate(0);
    const resources: Resource[] = [];
    for (const group of this.order) if (!resources.includes(group.resource)) resources.push(group.resource);
    for (const resource of resources) {
      const resourceSpans = w.begin(1);
      writeResource(w, resource);
      for (const group of this.order) {
        if (group.resource !== resource) continue;
        const scopeSpans = w.begin(2);
        writeScope(w, group.scope);
        w.raw(group.spans.view());
        if (group.scope.schemaUrl) w.string(3, group.scope.schemaUrl);
        w.end(scopeSpans);
      }
      if (resource.schemaUrl) w.string(3, resource.schemaUrl);
      w.end(resourceSpans);
    }
    return w.finish();
  }

}
