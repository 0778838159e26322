/**
 * Pure maths over the Docker stats API's JSON, so it can be tested on constructed data. Only the fields used
 * are typed; cgroup v1 and v2 engines fill different ones.
 */

export interface DockerCpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface DockerMemoryStats {
  usage?: number;
  stats?: { total_inactive_file?: number; inactive_file?: number; cache?: number };
}

export interface DockerCpuReading {
  containerNs: number;
  systemNs: number;
  onlineCpus: number;
}

/**
 * A reading, or undefined when the engine sent none: `precpu_stats` is empty in a one-shot stats call and in
 * the first sample of a stream.
 */
export function cpuReading(stats: DockerCpuStats | undefined): DockerCpuReading | undefined {
  const containerNs = stats?.cpu_usage?.total_usage;
  const systemNs = stats?.system_cpu_usage;
  if (!containerNs || !systemNs) return undefined;
  const onlineCpus = stats.online_cpus || stats.cpu_usage?.percpu_usage?.length || 1;
  return { containerNs, systemNs, onlineCpus };
}

/**
 * Percent of one core, as `docker stats` computes it: system_cpu_usage counts every core's time, so the
 * container's share of it times the core count is its share of one core.
 */
export function dockerCpuPercent(previous: DockerCpuReading, next: DockerCpuReading): number {
  const systemDeltaNs = next.systemNs - previous.systemNs;
  const containerDeltaNs = next.containerNs - previous.containerNs;
  if (systemDeltaNs <= 0 || containerDeltaNs < 0) return 0;
  return (containerDeltaNs / systemDeltaNs) * next.onlineCpus * 100;
}

/**
 * Memory the service actually holds: the cgroup's usage counts page cache too, of which the inactive part is
 * reclaimable. Same rule as the docker CLI (v1: total_inactive_file, v2: inactive_file; old engines: cache).
 */
export function dockerMemoryBytes(memory: DockerMemoryStats): number {
  const usage = memory.usage ?? 0;
  const stats = memory.stats ?? {};
  const reclaimable = stats.total_inactive_file ?? stats.inactive_file ?? stats.cache ?? 0;
  return reclaimable < usage ? usage - reclaimable : usage;
}
