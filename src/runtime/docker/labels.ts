/** Every container and image hopscope makes carries HOPSCOPE_LABEL=1, so the reaper finds them after a crash. */
export const HOPSCOPE_LABEL = 'dev.hopscope';
export const RUN_LABEL = 'dev.hopscope.run';
export const SERVICE_LABEL = 'dev.hopscope.service';

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; the labels keep the exact run id and instance name. */
export function containerName(runId: string, instance: string): string {
  return `hopscope-${runId}-${instance}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}
/** "reaper" on the run's reaper container: the reaper itself must not be among what it removes. */
export const ROLE_LABEL = 'dev.hopscope.role';
