import { fitPayload, planCuts, type FitRequest } from '../../src/payload/fit';

describe('planCuts', () => {
  it('cuts nothing when nothing must be freed', () => {
    expect(planCuts([10, 20], 0)).toEqual([undefined, undefined]);
  });

  it('cuts only the longest text while that suffices', () => {
    expect(planCuts([10, 100, 20], 30)).toEqual([undefined, 70, undefined]);
  });

  it('brings the longest texts down to one level when one is not enough', () => {
    // 100 and 60 down to 40 frees 60 + 20 = 80.
    expect(planCuts([100, 10, 60], 80)).toEqual([40, undefined, 40]);
  });

  it('gives up when even a bare ellipsis everywhere is not enough', () => {
    expect(planCuts([10, 10], 15)).toBeUndefined();
  });
});

/** A toy payload: texts joined after a fixed header; bytes are UTF-8. */
function toyRequest(texts: string[], limit: number, header = 'H'.repeat(20)): FitRequest<string[]> {
  const measure = (parts: string[]) => Buffer.byteLength(parts.join(''));
  return {
    limit,
    measure,
    full: [header, ...texts],
    shortening: { texts, costModel: 'utf8', rebuild: (shortened) => [header, ...shortened] },
    fallbacks: () => [['fallback-with-header', header], ['fallback']],
  };
}

describe('fitPayload', () => {
  it('keeps a payload that fits', () => {
    const fitted = fitPayload(toyRequest(['short'], 100));
    expect(fitted).toEqual({ payload: ['H'.repeat(20), 'short'], fit: 'full', bytes: 25 });
  });

  it('shortens to exactly the limit when characters allow', () => {
    const fitted = fitPayload(toyRequest(['a'.repeat(200), 'b'.repeat(10)], 100));
    expect(fitted.fit).toBe('shortened');
    expect(fitted.bytes).toBe(100);
    expect(fitted.payload[1]).toMatch(/^a+…$/);
    expect(fitted.payload[2]).toBe('b'.repeat(10));
  });

  it('does not depend on how far a text runs past the limit (long texts are scanned only so far)', () => {
    const short = fitPayload(toyRequest(['a'.repeat(5000), 'b'.repeat(150)], 300));
    const long = fitPayload(toyRequest(['a'.repeat(500000), 'b'.repeat(150)], 300));
    expect(long).toEqual(short);
    expect(short.bytes).toBe(300);
    expect(short.payload[2]).toMatch(/^b+…$/);
  });

  it('falls back when the fixed part alone overflows, preferring the richer fallback that fits', () => {
    const fitted = fitPayload(toyRequest(['text'], 30, 'H'.repeat(40)));
    expect(fitted).toEqual({ payload: ['fallback'], fit: 'content_omitted', bytes: 8 });
  });

  it('never shortens without a shortening (encrypted payloads)', () => {
    const request = { ...toyRequest(['a'.repeat(200)], 100), shortening: undefined };
    expect(fitPayload(request).fit).toBe('content_omitted');
  });

  it('corrects a measure that disagrees with the cost model in a bounded number of rounds', () => {
    let measured = 0;
    const request = toyRequest(['a'.repeat(500)], 100);
    // The real payload carries 5 hidden bytes per text the cost model cannot see.
    const measure = (parts: string[]) => (measured++, Buffer.byteLength(parts.join('')) + 5 * (parts.length - 1));
    const fitted = fitPayload({ ...request, measure });
    expect(fitted.fit).toBe('shortened');
    expect(fitted.bytes).toBeLessThanOrEqual(100);
    expect(measured).toBeLessThanOrEqual(4);
  });
});
