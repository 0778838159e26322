/** FIFO of timestamps on a growable Float64Array ring: the open-loop backlog, without per-request allocation. */
export class TimeQueue {
  private items = new Float64Array(1024);
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) % this.items.length] = value;
    this.size++;
  }

  /** Oldest value; the caller checks length first. */
  shift(): number {
    const value = this.items[this.head]!;
    this.head = (this.head + 1) % this.items.length;
    this.size--;
    return value;
  }

  private grow(): void {
    const next = new Float64Array(this.items.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) % this.items.length]!;
    this.items = next;
    this.head = 0;
  }
}
