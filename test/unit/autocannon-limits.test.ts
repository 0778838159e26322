import { describe, expect, it } from 'vitest';
import { autocannonMisfits } from '../../src/load/autocannon-limits.js';
import { parseScenario } from '../../src/scenario/load.js';

const scenario = (phases: string) =>
  parseScenario(
    `name: a
services:
  - { name: edge, kind: fastjson-api, port: 18990 }
  - { name: edge-tls, kind: fastjson-api, port: 18991, tls: true }
requests:
  - { name: r, path: / }
phases:
${phases}`,
    'x.yaml',
  );

describe('what --engine autocannon cannot run', () => {
  it('refuses an h2 phase and a phase whose target serves TLS, and accepts plain h1', () => {
    const s = scenario(`  - { name: plain, target: edge, duration: 1s, load: { model: closed } }
  - { name: h2, target: edge, protocol: h2, duration: 1s, load: { model: closed } }
  - { name: tls, target: edge-tls, duration: 1s, load: { model: closed } }
  - { name: url, target: "https://127.0.0.1:9443", duration: 1s, load: { model: closed } }`);
    expect(autocannonMisfits(s)).toEqual([
      '--engine autocannon speaks HTTP/1.1 only; use the hopscope engine for HTTP/2',
      'phase tls: --engine autocannon loads plain http:// only; use the hopscope engine for https:// and services with tls: true',
      'phase url: --engine autocannon loads plain http:// only; use the hopscope engine for https:// and services with tls: true',
    ]);
    expect(autocannonMisfits(scenario('  - { name: plain, target: edge, duration: 1s, load: { model: closed } }'))).toEqual([]);
  });
});
