import { prefixWithin, shortenTo, textCost } from '../../src/payload/text';

describe('textCost', () => {
  const samples = [
    'plain ascii', 'quote " and backslash \\', 'controls \n\t\r\b\f \u0000\u0001\u001f\u007f', 'é ß ü', '日本語',
    'emoji 😀👍🏽', 'line sep \u2028\u2029', 'lone high \ud800 and low \udc00', '',
  ];

  it.each(samples)('json cost of %j equals its JSON.stringify bytes without quotes', (text) => {
    expect(textCost(text, 'json')).toBe(Buffer.byteLength(JSON.stringify(text)) - 2);
  });

  it.each(samples)('utf8 cost of %j equals Buffer.byteLength', (text) => {
    expect(textCost(text, 'utf8')).toBe(Buffer.byteLength(text));
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
