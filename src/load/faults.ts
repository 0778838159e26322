/**
 * Fault injection inside a phase, at times set in the scenario: pause a service for D every P (a
 * stop-the-world stall: cgroup freezer for containers, SIGSTOP for processes), kill and restart it, or
 * change the Go service's GC pressure. Every fault ends: stop() cancels what is scheduled and unpauses
 * whatever is paused, and the runtime's teardown unpauses before it stops a service after a crash.
 */

import { performance } from 'node:perf_hooks';
import { serviceRequest } from '../runtime/service-http.js';
import type { StartedService } from '../runtime/types.js';
import type { FaultDecl } from '../scenario/types.js';

/** One fault as it happened, for the report's timeline. */
export interface FaultEvent {
  tMs: number;
  kind: 'pause' | 'unpause' | 'kill' | 'restart' | 'gc-pressure';
  service: string;
  detail: string;
}

const PRESSURE_TIMEOUT_MS = 2000;

export class FaultInjector {
  readonly events: FaultEvent[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly paused = new Set<StartedService>();
  private readonly pending = new Set<Promise<unknown>>();
  private stopped = false;

  /** @param originMs performance.now() at the run's start, for event times. */
  constructor(
    private readonly services: StartedService[],
    private readonly originMs: number,
  ) {}

  /** Schedules a phase's faults relative to now (the phase's start). */
  schedule(faults: FaultDecl[], phaseDurationMs: number): void {
    this.stopped = false;
    for (const fault of faults) {
      const service = this.services.find((s) => s.spec.name === fault.service)!;
      if (fault.kind === 'pause') {
        for (let at = fault.atMs; at < phaseDurationMs; at += fault.everyMs ?? Infinity) {
          this.at(at, fault, () => this.pause(service, fault.durationMs));
        }
      } else if (fault.kind === 'kill') this.at(fault.atMs, fault, () => this.kill(service));
      else this.at(fault.atMs, fault, () => this.pressure(service, fault.ballastMb, fault.garbageKb));
    }
  }

  /** Cancels what is still scheduled and ends what is in progress; resolves when every service runs again. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.pending]);
    await Promise.allSettled([...this.paused].map((s) => this.unpause(s)));
  }

  private at(delayMs: number, fault: FaultDecl, action: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      const work = action().catch((error: Error) => this.note(fault.kind, fault.service, `failed: ${error.message}`));
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    }, delayMs);
    this.timers.add(timer);
  }

  private note(kind: FaultEvent['kind'], service: string, detail: string): void {
    this.events.push({ tMs: Math.round((performance.now() - this.originMs) * 10) / 10, kind, service, detail });
  }

  private async pause(service: StartedService, durationMs: number): Promise<void> {
    await service.pause();
    this.paused.add(service);
    this.note('pause', service.spec.name, `for ${durationMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    await this.unpause(service);
  }

  private async unpause(service: StartedService): Promise<void> {
    if (!this.paused.delete(service)) return;
    await service.unpause();
    this.note('unpause', service.spec.name, '');
  }

  private async kill(service: StartedService): Promise<void> {
    this.note('kill', service.spec.name, 'killed, restarting');
    await service.restart();
    this.note('restart', service.spec.name, 'ready again');
  }

  private async pressure(service: StartedService, ballastMb: number | undefined, garbageKb: number | undefined): Promise<void> {
    const query = new URLSearchParams();
    if (ballastMb !== undefined) query.set('ballast_mb', String(ballastMb));
    if (garbageKb !== undefined) query.set('garbage_kb', String(garbageKb));
    const answer = await serviceRequest(`${service.url}/debug/pressure?${query}`, {
      method: 'POST',
      timeoutMs: PRESSURE_TIMEOUT_MS,
      ...(service.ca ? { ca: service.ca } : {}),
    });
    if (answer.status < 200 || answer.status > 299) throw new Error(`POST /debug/pressure answered ${answer.status}`);
    this.note('gc-pressure', service.spec.name, query.toString());
  }
}
