/**
 * A newest-first list that keeps at most `limit` entries, with O(1) appends (a ring buffer: the
 * audit log takes one entry per gate decision, on the request path).
 */
export class CappedList<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(private readonly limit: number) {}

  push(item: T): void {
    if (this.items.length < this.limit) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.limit;
  }

  /** the newest `count` entries, newest first */
  newest(count: number): T[] {
    const out: T[] = [];
    const size = this.items.length;
    for (let i = 1; i <= Math.min(count, size); i++) out.push(this.items[(this.next - i + size * 2) % size]);
    return out;
  }

  get size(): number {
    return this.items.length;
  }
}
