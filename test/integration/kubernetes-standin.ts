/**
 * A STAND-IN for a Kubernetes API server, not a cluster: node:http on 127.0.0.1 answering only the calls
 * the kubernetes fleet makes (create a Job, list its pods by label, read a pod's log, delete the Job). Its
 * "pods" are the built hopscope CLI run as local child processes with the Job's args (the image is not
 * pulled; $(VAR) expanded the way the kubelet does for declared env, literal env values set), so the client path, the framed logs
 * and the merge are real while the scheduling is not.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StandinPod {
  name: string;
  index: number;
  labels: Record<string, string>;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  log: string;
  child: ChildProcess;
}

export interface StandinRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

interface JobBody {
  metadata: { name: string };
  spec: {
    completions: number;
    template: { metadata: { labels: Record<string, string> }; spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[] } };
  };
}

export class KubernetesStandin {
  readonly requests: StandinRequest[] = [];
  readonly jobs = new Map<string, { body: JobBody; pods: StandinPod[]; deleted: boolean }>();
  private server: Server | undefined;

  constructor(private readonly cli: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const job of this.jobs.values()) for (const pod of job.pods) pod.child.kill('SIGKILL');
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Pods whose process is still running. */
  running(): number {
    return [...this.jobs.values()].flatMap((j) => j.pods).filter((p) => p.child.exitCode === null && p.child.signalCode === null).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, body });
    const json = (status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const notFound = () => json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `${url.pathname} not found`, reason: 'NotFound', code: 404 });

    let m: RegExpExecArray | null;
    if (req.method === 'POST' && (m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/.exec(url.pathname))) {
      const job = body as JobBody;
      this.jobs.set(job.metadata.name, { body: job, pods: this.startPods(job), deleted: false });
      return json(201, { ...job, metadata: { ...job.metadata, namespace: m[1], uid: 'standin' } });
    }
    if (req.method === 'DELETE' && (m = /^\/apis\/batch\/v1\/namespaces\/[^/]+\/jobs\/([^/]+)$/.exec(url.pathname))) {
      const job = this.jobs.get(m[1]!);
      if (!job || job.deleted) return notFound();
      job.deleted = true;
      for (const pod of job.pods) pod.child.kill('SIGKILL');
      return json(200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    }
    if (req.method === 'GET' && (m = /^\/api\/v1\/namespaces\/[^/]+\/pods$/.exec(url.pathname))) {
      const [key, value] = (url.searchParams.get('labelSelector') ?? '').split('=');
      const pods = [...this.jobs.values()].filter((j) => !j.deleted).flatMap((j) => j.pods).filter((p) => p.labels[key!] === value);
      return json(200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: {},
        items: pods.map((p) => ({
          metadata: { name: p.name, labels: p.labels, annotations: { 'batch.kubernetes.io/job-completion-index': String(p.index) } },
          status: { phase: p.phase },
        })),
      });
    }
    if (req.method === 'GET' && (m = /^\/api\/v1\/namespaces\/[^/]+\/pods\/([^/]+)\/log$/.exec(url.pathname))) {
      const pod = [...this.jobs.values()].flatMap((j) => j.pods).find((p) => p.name === m![1]);
      if (!pod) return notFound();
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(pod.log);
    }
    return notFound();
  }

  private startPods(job: JobBody): StandinPod[] {
    const container = job.spec.template.spec.containers[0]!;
    return Array.from({ length: job.spec.completions }, (_, index) => {
      // The kubelet expands $(VAR) for the env the container declares; here the only one is the index.
      const declared = new Set(container.env.map((e) => e.name));
      const args = container.args.map((a) => a.replace(/\$\((\w+)\)/g, (all, name: string) => (declared.has(name) ? String(index) : all)));
      // Literal env values (the shipped scenario) as the kubelet sets them; the index comes through the args.
      const literal = Object.fromEntries(container.env.flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
      const child = spawn('node', [this.cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...literal } });
      const pod: StandinPod = { name: `${job.metadata.name}-${index}-standin`, index, labels: job.spec.template.metadata.labels, phase: 'Running', log: '', child };
      // A container runtime logs whole lines of either stream; pipe chunks may end mid-line.
      const lines = (stream: NodeJS.ReadableStream) => {
        let partial = '';
        stream.setEncoding('utf8');
        stream.on('data', (d: string) => {
          const text = partial + d;
          const cut = text.lastIndexOf('\n') + 1;
          pod.log += text.slice(0, cut);
          partial = text.slice(cut);
        });
        return new Promise<void>((resolve) => stream.on('end', () => ((pod.log += partial ? `${partial}\n` : ''), resolve())));
      };
      const ended = Promise.all([lines(child.stdout!), lines(child.stderr!)]);
      child.on('exit', (code) => void ended.then(() => (pod.phase = code === 0 ? 'Succeeded' : 'Failed')));
      return pod;
    });
  }
}

export function standinKubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: standin',
    // The client refuses plain http unless told; the stand-in has no TLS.
    `    cluster: { server: "${server}", insecure-skip-tls-verify: true }`,
    'users:',
    '  - name: standin',
    '    user: { token: standin-token }',
    'contexts:',
    '  - name: standin',
    '    context: { cluster: standin, user: standin, namespace: loadtest }',
    'current-context: standin',
    '',
  ].join('\n');
}
