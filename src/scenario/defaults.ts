/**
 * Every default a user can meet, in one place: the scenario loader, the ad-hoc flags, the library's
 * run() and the CLI's help all read them from here, so that documentation and behaviour cannot drift.
 */

/** Connections of an open-loop pool (and of a knee search) when the scenario or flags give none. */
export const DEFAULT_CONNECTIONS = 64;
/** Connections of a closed-loop phase that gives none. */
export const DEFAULT_CLOSED_CONNECTIONS = 10;
/** Requests in flight per HTTP/1.1 connection. */
export const DEFAULT_PIPELINING = 1;
/** An ad-hoc run's length. */
export const DEFAULT_DURATION = '10s';
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** How long a service may take to become ready. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** The request mix's random seed: runs of one scenario send the same sequence. */
export const DEFAULT_SEED = 1;
/** How much slower than a baseline a gate allows. */
export const DEFAULT_TOLERANCE = '10%';
export const DEFAULT_RUNTIME = 'auto';
export const DEFAULT_ENGINE = 'hopscope';
export const DEFAULT_WORKERS = 1;
/** How long before the common start a fleet's generators are started. */
export const DEFAULT_FLEET_LEAD_MS = 4000;
