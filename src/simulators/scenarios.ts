/**
 * Device tokens choose how the simulators answer, so tests and demos can provoke every provider
 * failure through the real client libraries. A token "starts with" a word when either:
 *
 * - its text starts with the word (`gone-1`, `busyPhone`, `bad`), unless the token is exactly
 *   64 hex digits: that is the shape of a real APNs token, and random ones start with the hex
 *   word `bad` far too often (1 in 4096) for tests to stay deterministic; or
 * - (APNs only) it is an even-length hex string whose bytes start with the word's ASCII. This is
 *   what Herald sends when a pushkey is the base64 of token bytes beginning with that word:
 *   base64 `Z29uZ…` ("gone…") becomes hex `676f6e65…` with `convert_device_token_to_hex`.
 */
export type Scenario = 'ok' | 'bad' | 'gone' | 'busy' | 'fail' | 'flaky' | 'slow' | 'mismatch';

/** Longest first, so no word shadows a longer one that begins with it. */
const WORDS: readonly Exclude<Scenario, 'ok'>[] = ['mismatch', 'flaky', 'gone', 'busy', 'fail', 'slow', 'bad'];

const REAL_APNS_TOKEN = /^[0-9a-fA-F]{64}$/;
const EVEN_HEX = /^(?:[0-9a-fA-F]{2})+$/;

export function scenarioOf(token: string, options: { matchHexBytes: boolean }): Scenario {
  const textual = REAL_APNS_TOKEN.test(token) ? undefined : WORDS.find((word) => token.startsWith(word));
  if (textual) return textual;
  if (options.matchHexBytes && EVEN_HEX.test(token)) {
    const ascii = Buffer.from(token.slice(0, 2 * WORDS[0].length), 'hex').toString('latin1');
    const byBytes = WORDS.find((word) => ascii.startsWith(word));
    if (byBytes) return byBytes;
  }
  return 'ok';
}

/** The hex token whose bytes start with `word`, padded with zero bytes to `byteLength`. */
export function hexTokenFor(word: string, byteLength = 32): string {
  const bytes = Buffer.alloc(Math.max(byteLength, word.length));
  bytes.write(word, 'latin1');
  return bytes.toString('hex');
}

/** A short, non-identifying label for logs: never a full token. */
export function shortToken(token: string): string {
  return token.length <= 8 ? token : `${token.slice(0, 8)}…(${token.length})`;
}
