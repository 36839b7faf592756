import { nestsDeeperThan } from '../../src/http/json-depth';

describe('nestsDeeperThan', () => {
  test.each<[string, number, boolean]>([
    ['{}', 1, false],
    ['{}', 0, true],
    ['[[1],[2]]', 2, false],
    ['[[[1]]]', 2, true],
    ['{"a":{"b":[{}]}}', 4, false],
    ['{"a":{"b":[{}]}}', 3, true],
    // brackets inside strings, escaped quotes and escaped backslashes do not count
    ['["[[[[", "\\"[[[[", "\\\\"]', 1, false],
    ['["\\\\", [[1]]]', 2, true],
    // unbalanced input is measured as far as it goes
    ['[[[[', 3, true],
    [']]]][', 1, false],
  ])('%s with limit %d → %s', (text, max, expected) => {
    expect(nestsDeeperThan(text, max)).toBe(expected);
  });

  test('linear on a megabyte of nesting', () => {
    const text = '['.repeat(500_000) + ']'.repeat(500_000);
    const started = Date.now();
    expect(nestsDeeperThan(text, 64)).toBe(true);
    expect(nestsDeeperThan(text, 1_000_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
