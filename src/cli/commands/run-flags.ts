/** `hopscope run`'s flags as commander hands them over; `run` and the fleet's generators read them. */

import type { AdhocFlags } from '../../scenario/adhoc.js';
import type { GateFlags } from './gate.js';

export interface RunFlags extends Partial<AdhocFlags>, GateFlags, FleetFlags {
  allowRemote?: boolean;
  http2?: boolean;
  insecure?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  out?: string;
  repeat?: string;
  runtime: string;
  engine: string;
  workers?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface FleetFlags {
  generators?: string;
  fleet?: string;
  dockerHost?: string[];
  generatorImage?: string;
  coordinatorAddress?: string;
  fleetLead?: string;
  /** A generator's own (set by the coordinator). */
  shippedScenario?: boolean;
  segment?: string;
  startAt?: string;
  coordinator?: string;
  resultFrames?: boolean;
}
