import { UsageError } from '../../errors.js';
import { ensureBinary } from '../build/build.js';
import { kindBinary } from '../build/reference-recipes.js';
import { startInOrder } from '../start-in-order.js';
import type { Runtime, ServiceSpec, StartedService, UpOptions } from '../types.js';
import type { DockerEngine } from './client.js';
import { ContainerService } from './container-service.js';
import { ensureImage } from './image.js';
import { ownImage } from './own-image.js';
import { Reaper } from './reaper.js';

/** Runs services as containers on the local engine, host-networked, with a reaper watching over the run. */
export class DockerRuntime implements Runtime {
  readonly kind = 'docker';
  private reaper: Reaper | undefined;

  constructor(private readonly engine: DockerEngine) {}

  async up(specs: ServiceSpec[], options: UpOptions): Promise<StartedService[]> {
    // Started before any service, so that no container of the run is ever unwatched.
    this.reaper ??= await Reaper.start(this.engine, options.runId, options.log);
    try {
      return await startInOrder<string>(specs, options, {
        artifactKey,
        prepare: (spec, log) => this.image(spec, log),
        launch: (spec, image, upOptions) => ContainerService.launch(this.engine, spec, image, upOptions),
      });
    } catch (error) {
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    const reaper = this.reaper;
    this.reaper = undefined;
    await reaper?.down();
  }

  private async image(spec: ServiceSpec, log: (line: string) => void): Promise<string> {
    const source = spec.source;
    if (source.type === 'reference') return ensureImage(this.engine, await ensureBinary(kindBinary(source.kind), log), log);
    // Runtime selection refuses such a scenario before anything starts; this guards direct library use.
    if (source.image === undefined && source.build === undefined) {
      throw new UsageError(`service "${spec.name}" has neither image nor build: it cannot run in a container`);
    }
    return ownImage(this.engine, spec, source, log);
  }
}

function artifactKey(spec: ServiceSpec): string {
  const source = spec.source;
  if (source.type === 'reference') return `kind:${source.kind}`;
  if (source.build !== undefined) return `build:${source.build.contextDir}\0${source.build.dockerfile}`;
  return `image:${source.image?.tag ?? spec.name}`;
}
