/**
 * The access span of one inbound request, made without the SDK's Tracer and Span: the fields an access row needs
 * are slots of a fixed array (the SDK span keeps every attribute in a dictionary, and its keyed loads and stores
 * were the largest single item of our per-request instructions: bench/RESULTS.md), and the export encoder writes
 * them with their keys encoded once. It is a complete API Span (the app's setAttribute, setStatus, addEvent,
 * recordException and updateName land on it, with the SDK span's limits and rules) and a ReadableSpan for span
 * processors and exporters.
 */
import {
  diag,
  trace,
  TraceFlags,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import { addHrTimes, hrTimeDuration, isAttributeValue, isTimeInput, isTimeInputHrTime, millisToHrTime, sanitizeAttributes } from '@opentelemetry/core';
import type { IdGenerator, ReadableSpan, SpanLimits, TimedEvent } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_UA_BROWSER,
  ATTR_ACTIVITY_UA_DEVICE_TYPE,
  ATTR_ACTIVITY_UA_OS,
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_MESSAGE,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SESSION_ID,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
  ATTR_USER_ID,
} from '../attributes';
import { parentSaidNotSampled } from '../sampling/activity-sampler';

/** The attributes with a slot, in the order they are listed and encoded. */
export const ACCESS_SLOT_KEYS = [
  ATTR_ACTIVITY_KIND,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_CLIENT_ADDRESS,
  ATTR_USER_AGENT_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_USER_ID,
  ATTR_SESSION_ID,
  ATTR_ACTIVITY_UA_DEVICE_TYPE,
  ATTR_ACTIVITY_UA_BROWSER,
  ATTR_ACTIVITY_UA_OS,
  ATTR_ERROR_MESSAGE,
  ATTR_ERROR_TYPE,
] as const;

const SLOT_OF = new Map<string, number>(ACCESS_SLOT_KEYS.map((key, i) => [key, i]));
export const SLOT_KIND = 0;
export const SLOT_METHOD = 1;
export const SLOT_PATH = 2;
export const SLOT_QUERY = 3;
export const SLOT_CLIENT_ADDRESS = 4;
export const SLOT_USER_AGENT = 5;
export const SLOT_STATUS = 6;
export const SLOT_ROUTE = 7;
export const SLOT_REQUEST_BYTES = 8;
export const SLOT_RESPONSE_BYTES = 9;
export const SLOT_USER_ID = 10;
export const SLOT_SESSION_ID = 11;
export const SLOT_UA_DEVICE = 12;
export const SLOT_UA_BROWSER = 13;
export const SLOT_UA_OS = 14;
export const SLOT_ERROR_MESSAGE = 15;
export const SLOT_ERROR_TYPE = 16;

const EXCEPTION_EVENT = 'exception';
const ATTR_EXCEPTION_TYPE = 'exception.type';
const ATTR_EXCEPTION_STACKTRACE = 'exception.stacktrace';

/** What every access span of one provider shares. */
export interface AccessSpanShared {
  readonly resource: ReadableSpan['resource'];
  readonly instrumentationScope: ReadableSpan['instrumentationScope'];
  readonly limits: SpanLimits;
  readonly ids: IdGenerator;
  /** Called as the span starts (the span processors' onStart). */
  readonly onStart: (span: AccessSpan, parent: Context) => void;
  /** Called as the span ends, before it is read-only (our ActivitySpanProcessor's onEnding). */
  readonly onEnding: (span: AccessSpan) => void;
  /** Called once it ended (sampling, then export). */
  readonly onEnd: (span: AccessSpan) => void;
}

/** Shared until the first setStatus, which always sets a new object. */
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NO_EVENTS = Object.freeze([]) as unknown as TimedEvent[];
const NO_LINKS = Object.freeze([]) as unknown as Link[];

function truncated(value: AttributeValue, limit: number): AttributeValue {
  if (limit <= 0) return value;
  if (typeof value === 'string') return value.length <= limit ? value : value.substring(0, limit);
  if (Array.isArray(value)) return value.map((item: unknown) => (typeof item === 'string' && item.length > limit ? item.substring(0, limit) : item)) as AttributeValue;
  return value;
}

export class AccessSpan implements Span, ReadableSpan {
  readonly kind = SpanKind.SERVER;
  name: string;
  readonly parentSpanContext: SpanContext | undefined;
  readonly resource: ReadableSpan['resource'];
  readonly instrumentationScope: ReadableSpan['instrumentationScope'];
  /** Values of ACCESS_SLOT_KEYS, undefined where not set. */
  readonly slots: Array<AttributeValue | undefined>;
  /** Attributes without a slot, in the order they were first set. */
  extra: Attributes | undefined = undefined;
  status: SpanStatus = UNSET;
  /** A shared empty list until the first event or link: most requests have neither. */
  events: TimedEvent[] = NO_EVENTS;
  links: Link[] = NO_LINKS;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  /** Attributes set, slots included (activity.kind and the method are set at start). */
  private attributeCount = 2;
  private readonly context: SpanContext;
  private readonly shared: AccessSpanShared;
  /** Wall clock at the start (epoch ms), as the SDK span takes it; startTime is made from it. */
  readonly startMs: number;
  /** The monotonic clock at the start. */
  private readonly startPerf: number;
  /** Epoch ms at the end (-1 until ended); endTime is made from it. */
  endMs = -1;
  private done = false;
  private startHr: HrTime | undefined;
  private endHr: HrTime | undefined;
  private listed: Attributes | undefined;

  constructor(shared: AccessSpanShared, context: SpanContext, parent: SpanContext | undefined, method: string) {
    this.startMs = Date.now();
    this.startPerf = performance.now();
    this.shared = shared;
    this.context = context;
    this.parentSpanContext = parent;
    this.resource = shared.resource;
    this.instrumentationScope = shared.instrumentationScope;
    this.name = method;
    const slots: Array<AttributeValue | undefined> = new Array<AttributeValue | undefined>(ACCESS_SLOT_KEYS.length).fill(undefined);
    slots[SLOT_KIND] = 'access';
    slots[SLOT_METHOD] = method;
    this.slots = slots;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  /** Our own fields, set without the checks an arbitrary key and value need (the value is ours, the slot known). */
  setSlot(slot: number, value: AttributeValue): void {
    if (this.done) return;
    const slots = this.slots;
    if (slots[slot] === undefined) {
      if (this.attributeCount >= (this.shared.limits.attributeCountLimit ?? Infinity)) {
        this.droppedAttributesCount++;
        return;
      }
      this.attributeCount++;
    }
    slots[slot] = typeof value === 'string' ? truncated(value, this.shared.limits.attributeValueLengthLimit ?? 0) : value;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (value == null || this.done) return this;
    if (key.length === 0) {
      diag.warn(`Invalid attribute key: ${key}`);
      return this;
    }
    if (!isAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const slot = SLOT_OF.get(key);
    if (slot !== undefined) {
      // setSlot shortens strings; lists of strings are shortened here.
      this.setSlot(slot, Array.isArray(value) ? truncated(value, this.shared.limits.attributeValueLengthLimit ?? 0) : value);
      return this;
    }
    const extra = (this.extra ??= {});
    const isNew = !Object.prototype.hasOwnProperty.call(extra, key);
    if (isNew && this.attributeCount >= (this.shared.limits.attributeCountLimit ?? Infinity)) {
      this.droppedAttributesCount++;
      return this;
    }
    extra[key] = truncated(value, this.shared.limits.attributeValueLengthLimit ?? 0);
    if (isNew) this.attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (Object.prototype.hasOwnProperty.call(attributes, key)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  /** The value of an attribute, slot or not. */
  attribute(key: string): AttributeValue | undefined {
    const slot = SLOT_OF.get(key);
    return slot !== undefined ? this.slots[slot] : this.extra?.[key];
  }

  /** Every attribute as one object (made on each read until the span ends, then once). */
  get attributes(): Attributes {
    if (this.listed !== undefined) return this.listed;
    const out: Attributes = {};
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const value = slots[i];
      if (value !== undefined) out[ACCESS_SLOT_KEYS[i]!] = value;
    }
    if (this.extra !== undefined) Object.assign(out, this.extra);
    if (this.done) this.listed = out;
    return out;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.done) return this;
    const limits = this.shared.limits;
    if (limits.eventCountLimit === 0) {
      this.droppedEventsCount++;
      return this;
    }
    if (this.events === NO_EVENTS) this.events = [];
    if (limits.eventCountLimit !== undefined && this.events.length >= limits.eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    let attributes: Attributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
    } else {
      attributes = attributesOrTime;
    }
    const sanitized = sanitizeAttributes(attributes);
    const kept: Attributes = {};
    let count = 0;
    let dropped = 0;
    for (const key in sanitized) {
      if (limits.attributePerEventCountLimit !== undefined && count >= limits.attributePerEventCountLimit) {
        dropped++;
        continue;
      }
      kept[key] = truncated(sanitized[key]!, limits.attributeValueLengthLimit ?? 0);
      count++;
    }
    this.events.push({ name, attributes: kept, time: this.timeOf(time), droppedAttributesCount: dropped });
    return this;
  }

  addLink(link: Link): this {
    if (this.done) return this;
    const limits = this.shared.limits;
    if (limits.linkCountLimit === 0) {
      this.droppedLinksCount++;
      return this;
    }
    if (this.links === NO_LINKS) this.links = [];
    if (limits.linkCountLimit !== undefined && this.links.length >= limits.linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    const sanitized = sanitizeAttributes(link.attributes);
    const kept: Link = { context: link.context };
    if (Object.keys(sanitized).length > 0) kept.attributes = sanitized;
    this.links.push(kept);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // The SDK span's rules: UNSET changes nothing, OK is final, a message only comes with ERROR.
    if (this.done || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR && typeof status.message === 'string') next.message = status.message;
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (!this.done) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.done) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`);
      return;
    }
    this.endMs = endTime === undefined ? this.startMs + (performance.now() - this.startPerf) : this.msOf(endTime);
    if (this.endMs < this.startMs) this.endMs = this.startMs;
    this.shared.onEnding(this);
    this.done = true;
    this.shared.onEnd(this);
  }

  isRecording(): boolean {
    return !this.done;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes[ATTR_EXCEPTION_MESSAGE] = exception;
    } else if (exception) {
      const error = exception as { code?: string | number; name?: string; message?: string; stack?: string };
      if (error.code) attributes[ATTR_EXCEPTION_TYPE] = error.code.toString();
      else if (error.name) attributes[ATTR_EXCEPTION_TYPE] = error.name;
      if (error.message) attributes[ATTR_EXCEPTION_MESSAGE] = error.message;
      if (error.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = error.stack;
    }
    if (attributes[ATTR_EXCEPTION_TYPE] || attributes[ATTR_EXCEPTION_MESSAGE]) this.addEvent(EXCEPTION_EVENT, attributes, time);
    else diag.warn(`Failed to record an exception ${String(exception)}`);
  }

  get startTime(): HrTime {
    return (this.startHr ??= millisToHrTime(this.startMs));
  }

  get endTime(): HrTime {
    if (!this.done) return [0, 0];
    return (this.endHr ??= addHrTimes(this.startTime, millisToHrTime(this.endMs - this.startMs)));
  }

  get duration(): HrTime {
    return this.done ? hrTimeDuration(this.startTime, this.endTime) : [-1, -1];
  }

  get ended(): boolean {
    return this.done;
  }

  /** Epoch milliseconds of a TimeInput; a number below the monotonic clock's now is a performance.now() reading. */
  private msOf(input: TimeInput): number {
    if (typeof input === 'number') return input <= performance.now() ? input + (this.startMs - this.startPerf) : input;
    if (input instanceof Date) return input.getTime();
    if (isTimeInputHrTime(input)) return input[0] * 1e3 + input[1] / 1e6;
    return Date.now();
  }

  private timeOf(input: TimeInput | undefined): HrTime {
    if (input === undefined) return addHrTimes(this.startTime, millisToHrTime(performance.now() - this.startPerf));
    if (isTimeInputHrTime(input)) return input;
    return millisToHrTime(this.msOf(input));
  }
}

/**
 * Starts the access span of a request under `parent` (the caller's extracted context, or the root): the caller's
 * trace and trace state when it sent one; recorded always, with ActivitySampler's decision on the sampled flag.
 */
export function startAccessSpanUnder(shared: AccessSpanShared, parent: Context, method: string): AccessSpan {
  const parentContext = trace.getSpanContext(parent);
  const valid = parentContext !== undefined && trace.isSpanContextValid(parentContext);
  const context: SpanContext = {
    traceId: valid ? parentContext.traceId : shared.ids.generateTraceId(),
    spanId: shared.ids.generateSpanId(),
    traceFlags: parentSaidNotSampled(parent) ? TraceFlags.NONE : TraceFlags.SAMPLED,
    traceState: valid ? parentContext.traceState : undefined,
  };
  const span = new AccessSpan(shared, context, valid ? parentContext : undefined, method);
  shared.onStart(span, parent);
  return span;
}
