import { ensureBinary } from '../build/build.js';
import { startInOrder } from '../start-in-order.js';
import type { Runtime, ServiceSpec, StartedService, UpOptions } from '../types.js';
import type { DockerEngine } from './client.js';
import { ContainerService } from './container-service.js';
import { ensureImage } from './image.js';

/** Runs the reference services as containers on the local engine, host-networked. */
export class DockerRuntime implements Runtime {
  readonly kind = 'docker';

  constructor(private readonly engine: DockerEngine) {}

  up(specs: ServiceSpec[], options: UpOptions): Promise<StartedService[]> {
    return startInOrder<string>(specs, options, {
      prepare: async (kind, log) => ensureImage(this.engine, await ensureBinary(kind, log), log),
      launch: (spec, image, upOptions) => ContainerService.launch(this.engine, spec, image, upOptions),
    });
  }
}
