import { prefixWithin, shortenTo, textCost } from '../../src/payload/text';

const SAMPLES = [
  'plain ascii', 'quote " and backslash \\', 'controls \n\t\r\b\f \u0000\u0001\u001f\u007f', 'é ß ü', '日本語',
  'emoji 😀👍🏽', 'line sep \u2028\u2029', 'lone high \ud800 and low \udc00', '',
];

describe('textCost', () => {
  it.each(SAMPLES)('json cost of %j is its JSON.stringify bytes without quotes', (text) => {
    expect(textCost(text, 'json')).toBe(Buffer.byteLength(JSON.stringify(text)) - 2);
  });

  it.each(SAMPLES)('utf8 cost of %j is its UTF-8 length', (text) => {
    expect(textCost(text, 'utf8')).toBe(Buffer.from(text, 'utf8').length);
  });
});

describe('prefixWithin agrees with textCost character by character', () => {
  it.each(SAMPLES.flatMap((text) => [[text, 'json'], [text, 'utf8']] as const))('%j (%s)', (text, model) => {
    const total = textCost(text, model);
    for (let budget = 0; budget <= total; budget++) {
      const prefix = prefixWithin(text, budget, model);
      expect(text.startsWith(prefix)).toBe(true);
      expect(textCost(prefix, model)).toBeLessThanOrEqual(budget);
      if (prefix.length < text.length) {
        // The next character (a whole surrogate pair when there is one) would not fit.
        const nextChar = String.fromCodePoint(text.codePointAt(prefix.length)!);
        expect(textCost(prefix + nextChar, model)).toBeGreaterThan(budget);
      }
    }
    expect(prefixWithin(text, total, model)).toBe(text);
  });
});

describe('prefixWithin / shortenTo', () => {
  it('never splits a surrogate pair', () => {
    const text = 'ab😀cd';
    expect(prefixWithin(text, 5, 'utf8')).toBe('ab');
    expect(prefixWithin(text, 6, 'utf8')).toBe('ab😀');
  });

  it('counts JSON escapes', () => {
    expect(prefixWithin('a"b', 2, 'json')).toBe('a');
    expect(prefixWithin('a"b', 3, 'json')).toBe('a"');
    expect(prefixWithin('a\u0001b', 6, 'json')).toBe('a');
  });

  it('ends with an ellipsis and stays within the budget', () => {
    const shortened = shortenTo('x'.repeat(100), 10, 'utf8');
    expect(shortened).toBe('xxxxxxx…');
    expect(Buffer.byteLength(shortened)).toBe(10);
  });

  it('cuts before a multi-byte character that would overflow', () => {
    const shortened = shortenTo('aéééé', 7, 'utf8');
    expect(shortened).toBe('aé…');
    expect(Buffer.byteLength(shortened)).toBeLessThanOrEqual(7);
  });
});
