/**
 * The swarm side of the engine client (client.ts hands it the dockerode instance; nothing else imports
 * dockerode): replicated-job services, their tasks and the tasks' logs, which the managers gather from
 * whichever node ran them.
 */
import type Docker from 'dockerode';
import { statusOf } from './engine-status.js';

export interface JobServiceSpec {
  name: string;
  image: string;
  args: string[];
  /** Values may use swarm's templates, e.g. {{.Task.Slot}}. */
  env: Record<string, string>;
  labels: Record<string, string>;
  /** Tasks: all of them run at once, each exactly once. */
  completions: number;
  /** Placement constraints ("node.id==ID"); none: any node. */
  constraints?: string[];
}

export interface SwarmTask {
  id: string;
  /** 0 .. completions-1 for a replicated job. */
  slot: number;
  /** new, pending, assigned, ..., running, complete, failed, rejected, shutdown, orphaned. */
  state: string;
  /** The swarm's own words: "finished", "task: non-zero exit (1)", "no suitable node". */
  message: string;
  error: string;
  exitCode: number | undefined;
}

/** The states from which a task never comes back. */
export const TASK_FAILED = new Set(['failed', 'rejected', 'shutdown', 'orphaned', 'remove']);

/** Splits the engine's multiplexed log stream (8-byte headers: stream, 0, 0, 0, size) into text. */
export function demultiplex(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  for (let at = 0; at + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(at + 4);
    chunks.push(buffer.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class SwarmClient {
  constructor(private readonly docker: Docker) {}

  /** "active" when this engine is a manager of a swarm; otherwise the engine's LocalNodeState and whether it manages. */
  async state(): Promise<{ localNodeState: string; controlAvailable: boolean; nodeId: string }> {
    const info = (await this.docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string } };
    return { localNodeState: info.Swarm?.LocalNodeState ?? 'inactive', controlAvailable: info.Swarm?.ControlAvailable ?? false, nodeId: info.Swarm?.NodeID ?? '' };
  }

  /** Returns the service id. */
  async createJob(spec: JobServiceSpec): Promise<string> {
    const service = await this.docker.createService({
      Name: spec.name,
      Labels: spec.labels,
      Mode: { ReplicatedJob: { MaxConcurrent: spec.completions, TotalCompletions: spec.completions } },
      TaskTemplate: {
        ContainerSpec: {
          Image: spec.image,
          Args: spec.args,
          Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
          Labels: spec.labels,
        },
        // Host networking, as for every hopscope container: no overlay network is created or joined.
        Networks: [{ Target: 'host' }],
        // A failed generator fails the run; a restarted one would run its segment late.
        RestartPolicy: { Condition: 'none' },
        ...(spec.constraints ? { Placement: { Constraints: spec.constraints } } : {}),
      },
    } as Docker.CreateServiceOptions);
    return service.id;
  }

  async tasks(serviceId: string): Promise<SwarmTask[]> {
    const tasks = (await this.docker.listTasks({ filters: { service: [serviceId] } })) as Array<{
      ID: string;
      Slot?: number;
      Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ExitCode?: number } };
    }>;
    return tasks.map((t) => ({
      id: t.ID,
      slot: t.Slot ?? 0,
      state: t.Status?.State ?? 'unknown',
      message: t.Status?.Message ?? '',
      error: t.Status?.Err ?? '',
      exitCode: t.Status?.ContainerStatus?.ExitCode,
    }));
  }

  /** stdout and stderr of a task, also after it ended. */
  async taskLogs(taskId: string): Promise<string> {
    // @types/dockerode omits Task.logs, which dockerode has (GET /tasks/{id}/logs); without follow it is one buffer.
    const task = this.docker.getTask(taskId) as unknown as { logs(options: object): Promise<Buffer | string> };
    const body = await task.logs({ stdout: true, stderr: true, follow: false });
    return demultiplex(Buffer.isBuffer(body) ? body : Buffer.from(String(body)));
  }

  /** Services carrying every given label (none when this engine manages no swarm). */
  async services(labels: Record<string, string>): Promise<{ id: string; name: string }[]> {
    try {
      const services = await this.docker.listServices({ filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } });
      return services.map((s) => ({ id: s.ID, name: s.Spec?.Name ?? s.ID }));
    } catch (error) {
      if (statusOf(error) === 503) return [];
      throw error;
    }
  }

  /** Removes the service and with it its tasks' containers; already gone is fine. */
  async removeService(id: string): Promise<void> {
    try {
      await this.docker.getService(id).remove();
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
}
