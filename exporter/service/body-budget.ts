/**
 * One byte budget for every OTLP request body the service holds at once: bytes as they arrive, bytes as gzip inflates
 * them, until the request is answered. A request past it is answered 429 before its body is read, or as soon as its
 * body (raw or inflated) would pass it, so concurrent compressed bodies cannot take memory without bound.
 */

export class BodyBudget {
  private used = 0;

  readonly maxBytes: number;

  /**
   * `maxBytes` is raised to twice `maxBodyBytes`: a body the service accepts (its gzip bytes and as many inflated)
   * must always fit when nothing else is held.
   */
  constructor(maxBytes: number, maxBodyBytes: number) {
    this.maxBytes = Math.max(maxBytes, 2 * maxBodyBytes);
  }

  get usedBytes(): number {
    return this.used;
  }

  /** A lease holding `initialBytes` (the declared length), or undefined when they do not fit now. */
  lease(initialBytes: number): BodyLease | undefined {
    const initial = Math.max(0, Math.min(initialBytes, this.maxBytes));
    // Full means full: a request that declares nothing must not start reading into a spent budget either.
    if (this.used >= this.maxBytes || !this.take(initial)) return undefined;
    return new BodyLease(this, initial);
  }

  /** @internal */
  take(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  /** @internal */
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** What one request holds of the budget; bytes it reads count against what it reserved first. */
export class BodyLease {
  private seen = 0;
  private released = false;

  constructor(
    private readonly budget: BodyBudget,
    private held: number,
  ) {}

  /** Counts `bytes` more read or inflated; false (nothing taken) when the budget cannot hold them. */
  add(bytes: number): boolean {
    this.seen += bytes;
    if (this.seen <= this.held) return true;
    if (!this.budget.take(this.seen - this.held)) return false;
    this.held = this.seen;
    return true;
  }

  /** Gives everything back; idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.held);
  }
}
