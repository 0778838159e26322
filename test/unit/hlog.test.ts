import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { HlogWriter, hlogTag } from '../../src/record/hlog-writer.js';
import { encodeHistogram } from '../../src/record/histogram.js';
import { Recorder, type IntervalSnapshot } from '../../src/record/recorder.js';
import { javaReady, processHlog } from '../hdr-java.js';

/** Three one-second intervals of known values, for two request names, written through the real writer. */
async function writeSampleLog(): Promise<{ path: string; recorder: Recorder }> {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-hlog-'));
  const path = join(dir, 'latency.hlog');
  const recorder = new Recorder(['get item', 'post,order']);
  const writer = new HlogWriter(path, Date.UTC(2026, 0, 1), recorder.requestNames);
  recorder.onInterval(writer.interval);
  recorder.beginPhase('p', true, 0);
  for (let second = 0; second < 3; second++) {
    for (let i = 1; i <= 1000; i++) recorder.response(0, i * (second + 1), 200, undefined, second * 1000);
    for (let i = 1; i <= 10; i++) recorder.response(1, i <= 5 ? 300.4 : 300.6, 201, undefined, second * 1000);
    recorder.flush((second + 1) * 1000);
  }
  await writer.close();
  return { path, recorder };
}

describe('IntervalSnapshot.encode', () => {
  it("encodes each histogram as encodeHistogram does, the overall one too, with one request answered or two", () => {
    const recorder = new Recorder(['a', 'b']);
    const seen: string[][] = [];
    recorder.onInterval((s: IntervalSnapshot) => {
      const histograms = [s.overall, s.sendLag, ...s.requests.flatMap((r) => [r.ok, r.failed])];
      const first = histograms.map((h) => s.encode(h));
      expect(histograms.map((h) => s.encode(h))).toEqual(first);
      expect(first).toEqual(histograms.map((h) => encodeHistogram(h)));
      seen.push(first);
    });
    recorder.beginPhase('p', true, 0);
    for (let i = 1; i <= 500; i++) recorder.response(0, i * 7, 200, undefined, 0);
    recorder.sendLag(12);
    recorder.flush(1000);
    for (let i = 1; i <= 500; i++) recorder.response(i % 2, i * 3, 200, undefined, 1000);
    recorder.flush(2000);
    expect(seen).toHaveLength(2);
    expect(seen[0]![0]).toBe(seen[0]![2]);
    expect(seen[1]![0]).not.toBe(seen[1]![2]);
  });
});

describe('latency.hlog', () => {
  it('writes format 1.3 with a base time, relative timestamps, an untagged total and tagged requests', async () => {
    const { path } = await writeSampleLog();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('#[Histogram log format version 1.3]');
    expect(lines.some((l) => l.startsWith('#[StartTime: 1767225600.000 (seconds since epoch)'))).toBe(true);
    expect(lines).toContain('#[BaseTime: 1767225600.000 (seconds since epoch)]');
    const data = lines.filter((l) => !l.startsWith('#') && !l.startsWith('"'));
    expect(data).toHaveLength(9);
    expect(data[0]).toMatch(/^0\.000,1\.000,1\.000,HISTF/);
    expect(data[1]).toMatch(/^Tag=get_item,0\.000,1\.000,1\.000,HISTF/);
    expect(data[2]).toMatch(/^Tag=post_order,0\.000,1\.000,0\.301,HISTF/);
    expect(data[6]).toMatch(/^2\.000,1\.000,3\.00\d,HISTF/);
    expect(hlogTag('a b,c')).toBe('a_b_c');
  });

  it('keeps microseconds: a 300.4 us answer is not rounded to a whole millisecond', async () => {
    const { path } = await writeSampleLog();
    const tagged = readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith('Tag=post_order'))!;
    const h = hdr.decodeFromCompressedBase64(tagged.split(',')[4]!);
    expect(h.totalCount).toBe(10);
    expect(h.getValueAtPercentile(50)).toBe(300);
    expect(h.maxValue).toBe(301);
    expect(h.getValueAtPercentile(60)).toBe(301);
  });

  it.skipIf(!javaReady)("is read by HdrHistogram's reference HistogramLogProcessor with the same percentiles", async () => {
    const { path } = await writeSampleLog();
    const out = join(path, '..', 'java');
    const { hgrm, intervals } = processHlog(path, out);
    // The untagged total: 1000 values per interval at 1..1000, 2..2000, 3..3000 us, plus 10 of the other request.
    expect(hgrm).toMatch(/#\[Max\s+=\s+3\.00\d, Total count\s+=\s+3030\]/);
    expect(intervals).toHaveLength(3);
    expect(processHlog(path, `${out}-tag`, 'post_order').hgrm).toMatch(/Total count\s+=\s+30\]/);
  });
});
