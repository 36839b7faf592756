/**
 * Byte costs of text as it goes on the wire, and cutting text to a byte budget.
 * A constant number of passes per string: this is what keeps shortening linear (a 64 KiB body is
 * measured once and cut once, never re-serialised per removed character).
 */

/**
 * How a string's bytes are counted:
 * - `utf8`: its UTF-8 length (FCM `data` values); a lone surrogate becomes U+FFFD, 3 bytes.
 * - `json`: the UTF-8 length of its JSON.stringify form without the quotes (APNs bodies):
 *   `"` and `\` cost 2, control characters 2 (`\n`…) or 6 (`\u0001`), lone surrogates 6.
 */
export type CostModel = 'utf8' | 'json';

export const ELLIPSIS = '…';
/** U+2026 is 3 bytes in UTF-8 and is never escaped by JSON.stringify. */
export const ELLIPSIS_BYTES = 3;

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** JSON.stringify's two-character escapes: \b \t \n \f \r. */
function jsonControlCost(unit: number): number {
  return unit === 0x08 || unit === 0x09 || unit === 0x0a || unit === 0x0c || unit === 0x0d ? 2 : 6;
}

/** Cost of the single code unit at `unit` (not part of a surrogate pair). */
function unitCost(unit: number, model: CostModel): number {
  if (unit < 0x80) {
    if (model === 'utf8') return 1;
    if (unit < 0x20) return jsonControlCost(unit);
    return unit === 0x22 || unit === 0x5c ? 2 : 1;
  }
  if (unit < 0x800) return 2;
  if (isHighSurrogate(unit) || isLowSurrogate(unit)) return model === 'json' ? 6 : 3;
  return 3;
}

/** Code units taken by the character starting at `index` (2 for a surrogate pair). */
function charLength(text: string, index: number): number {
  const unit = text.charCodeAt(index);
  return isHighSurrogate(unit) && index + 1 < text.length && isLowSurrogate(text.charCodeAt(index + 1)) ? 2 : 1;
}

/**
 * Bytes `text` adds to a payload under `model`. Native code does the scanning: this runs over
 * whole (possibly 64 KiB) message bodies, where it is several times faster than a JS loop.
 */
export function textCost(text: string, model: CostModel): number {
  return model === 'utf8' ? Buffer.byteLength(text, 'utf8') : Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

/**
 * The longest prefix of `text` that costs at most `budget` bytes, cut between characters
 * (a surrogate pair is never split).
 */
export function prefixWithin(text: string, budget: number, model: CostModel): string {
  let cost = 0;
  let i = 0;
  while (i < text.length) {
    const length = charLength(text, i);
    const next = cost + (length === 2 ? 4 : unitCost(text.charCodeAt(i), model));
    if (next > budget) break;
    cost = next;
    i += length;
  }
  return text.slice(0, i);
}

/**
 * `text` cut so that, with the ellipsis appended, it costs at most `budget` bytes.
 * The caller only asks for cuts it needs, so the result always ends with `…`.
 */
export function shortenTo(text: string, budget: number, model: CostModel): string {
  return prefixWithin(text, Math.max(0, budget - ELLIPSIS_BYTES), model) + ELLIPSIS;
}
