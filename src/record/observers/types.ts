/** What the observers record about the services while the load runs. */

export interface GcPause {
  /** From the run's start. */
  tMs: number;
  durationUs: number;
}

export interface ResourcePoint {
  tMs: number;
  cpuPercent: number;
  memoryBytes: number;
}

export interface ServiceResources {
  service: string;
  points: ResourcePoint[];
}
