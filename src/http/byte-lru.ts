/**
 * A least-recently-used cache bounded by the bytes its values hold, as the caller counts them. A Map
 * iterates in insertion order, so an entry used again is deleted and set again, and the first key is the
 * one to evict.
 */
export class ByteLru<Value> {
  private readonly maxBytes: number;
  private readonly entries = new Map<string, { value: Value; bytes: number }>();
  private totalBytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** The value, now the most recently used; undefined when it is not (or no longer) kept. */
  get(key: string): Value | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps the value as the most recently used (replacing one under the key), then evicts the least recent past the bound. */
  set(key: string, value: Value, bytes: number): void {
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.totalBytes -= previous.bytes;
    }
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.totalBytes <= this.maxBytes) break;
      this.entries.delete(oldestKey);
      this.totalBytes -= oldest.bytes;
    }
  }
}
