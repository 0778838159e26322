import { ensureBinary, type BuiltBinary } from '../build/build.js';
import { startInOrder } from '../start-in-order.js';
import type { Runtime, ServiceSpec, StartedService, UpOptions } from '../types.js';
import { ChildService } from './child-service.js';

/** Runs the reference services as child processes of hopscope: no engine needed, no isolation either. */
export class ProcessRuntime implements Runtime {
  readonly kind = 'process';

  up(specs: ServiceSpec[], options: UpOptions): Promise<StartedService[]> {
    return startInOrder<BuiltBinary>(specs, options, {
      prepare: ensureBinary,
      launch: async (spec, binary) => ChildService.launch(spec, binary, options),
    });
  }
}
