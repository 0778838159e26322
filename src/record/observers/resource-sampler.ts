/** Each service's CPU and memory once a second: dockerode stats for containers, /proc for processes. */

import type { ServiceResources } from './types.js';
import type { StartedService } from '../../runtime/types.js';

const EVERY_MS = 1000;

export class ResourceSampler {
  private readonly series: ServiceResources[];
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<unknown> = Promise.resolve();

  /** @param originEpochMs Date.now() at the run's start. */
  constructor(
    private readonly services: StartedService[],
    private readonly originEpochMs: number,
  ) {
    this.series = services.map((s) => ({ service: s.spec.name, points: [] }));
  }

  start(): void {
    this.timer = setInterval(() => {
      this.pending = Promise.all(this.services.map((s, i) => this.sampleOne(s, i)));
    }, EVERY_MS);
  }

  async stop(): Promise<ServiceResources[]> {
    clearInterval(this.timer);
    await this.pending;
    return this.series;
  }

  private async sampleOne(service: StartedService, i: number): Promise<void> {
    try {
      const s = await service.sample();
      this.series[i]!.points.push({ tMs: Math.round(s.atMs - this.originEpochMs), cpuPercent: Math.round(s.cpuPercent * 10) / 10, memoryBytes: s.memoryBytes });
    } catch {
      // A killed service between restarts has nothing to sample: a gap in its line says so.
    }
  }
}
