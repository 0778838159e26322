/** The load engines a run can use: hopscope's own, or autocannon behind the same recording (closed loop only). */

export const ENGINES = ['hopscope', 'autocannon'] as const;
export type EngineKind = (typeof ENGINES)[number];
