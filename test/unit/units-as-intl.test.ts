import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/load/random.js';
import { fixedAsIntl, formatCount } from '../../src/units.js';

const intl = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });

describe('fixedAsIntl', () => {
  it('writes what Intl.NumberFormat writes, ties and carries included', () => {
    const cases: Array<[number, number]> = [
      [0.95, 1], [1.65, 1], [187717.05, 1], [0.5, 0], [2.5, 0], [9.995, 2], [99.95, 1], [999.9995, 3],
      [0, 3], [0, 0], [57, 3], [0.057, 3], [1e21, 2], [1.5e-7, 3], [0.999023437500, 12], [1024, 2], [-0, 2],
    ];
    for (const [value, digits] of cases) expect([value, digits, fixedAsIntl(value, digits)]).toEqual([value, digits, intl(digits).format(value)]);
  });

  it('agrees with Intl over the values a .hgrm holds (values, percentile levels, 1/(1-p), means)', () => {
    const random = seededRandom(7);
    const formats = [0, 1, 2, 3, 5, 12].map((d) => [d, intl(d)] as const);
    let compared = 0;
    for (let i = 0; i < 40_000; i++) {
      const r = random();
      const value = [r, r * 1000, Math.round(r * 1e9) / 1000, 1 / (1 - r), Math.round(r * 6e8) / 1000, i / 1000, r * 123_456.789][i % 7]!;
      for (const [digits, format] of formats) {
        const ours = fixedAsIntl(value, digits);
        if (ours !== format.format(value)) expect(`${value} at ${digits}: ${ours}`).toBe(`${value} at ${digits}: ${format.format(value)}`);
        compared++;
      }
    }
    expect(compared).toBe(240_000);
  });
});

describe('formatCount', () => {
  it("writes what toLocaleString('en-US') writes for whole numbers", () => {
    const random = seededRandom(8);
    const values = [0, 7, 999, 1000, 1001, 12_345, 999_999, 1_000_000, -1, -1234, -1_000_000, Number.MAX_SAFE_INTEGER, 2 ** 53, 1.5, 1234.5678];
    for (let i = 0; i < 2_000; i++) values.push(Math.floor(random() * 10 ** (i % 16)));
    for (const n of values) expect([n, formatCount(n)]).toEqual([n, n.toLocaleString('en-US')]);
  });
});
