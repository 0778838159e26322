/**
 * When each response's request started and how long it took, compactly (8 bytes a response), so that
 * latencies can be lined up with events on the timeline (GC pauses, faults) after the run. Past
 * MAX_ENTRIES it keeps every other entry and then records 1 in 2, 1 in 4, ...: memory stays bounded and
 * `keptShare` says how much was kept.
 */

const MAX_ENTRIES = 4_000_000;

/** A RequestLog's entries since its previous hand-over; the arrays' buffers can be transferred, not copied. */
export interface LogPart {
  starts: Float32Array<ArrayBuffer>;
  latencies: Float32Array<ArrayBuffer>;
  /** Responses seen, kept or not. */
  seen: number;
}

export class RequestLog {
  private starts = new Float32Array(65_536);
  private latencies = new Float32Array(65_536);
  private size = 0;
  private stride = 1;
  private seen = 0;

  /** startMs from the run's start; Float32 keeps 0.1 ms precision over a 20-minute run. */
  add(startMs: number, latencyUs: number): void {
    if (this.seen++ % this.stride !== 0) return;
    if (this.size === this.starts.length) {
      if (this.size >= MAX_ENTRIES) this.halve();
      else this.grow();
    }
    this.starts[this.size] = startMs;
    this.latencies[this.size] = latencyUs;
    this.size++;
  }

  get keptShare(): number {
    return this.seen === 0 ? 1 : this.size / this.seen;
  }

  /** Worker side: the entries since the previous hand-over, copied out; this log then starts afresh. */
  handOver(): LogPart {
    const part: LogPart = { starts: this.starts.slice(0, this.size), latencies: this.latencies.slice(0, this.size), seen: this.seen };
    this.size = 0;
    this.seen = 0;
    this.stride = 1;
    return part;
  }

  /**
   * Main side: adds another log's entries as if they had been added here (same thinning past MAX_ENTRIES);
   * responses the other log saw but did not keep still count in `seen`, so keptShare stays true.
   */
  absorb(part: LogPart): void {
    for (let i = 0; i < part.starts.length; i++) this.add(part.starts[i]!, part.latencies[i]!);
    this.seen += part.seen - part.starts.length;
  }

  /** Visits every kept entry. */
  forEach(visit: (startMs: number, latencyUs: number) => void): void {
    for (let i = 0; i < this.size; i++) visit(this.starts[i]!, this.latencies[i]!);
  }

  private grow(): void {
    const starts = new Float32Array(this.starts.length * 2);
    const latencies = new Float32Array(this.latencies.length * 2);
    starts.set(this.starts);
    latencies.set(this.latencies);
    this.starts = starts;
    this.latencies = latencies;
  }

  private halve(): void {
    let j = 0;
    for (let i = 0; i < this.size; i += 2, j++) {
      this.starts[j] = this.starts[i]!;
      this.latencies[j] = this.latencies[i]!;
    }
    this.size = j;
    this.stride *= 2;
  }
}
