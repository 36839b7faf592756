/**
 * Layering of `default_payload`s under what Herald builds (contract section 4).
 *
 * Payload layers come from operators (config) and from homeservers (device data), so they are
 * untrusted JSON: keys that could reach an object's prototype are dropped at every depth, and
 * every value is copied so that no later step can mutate configuration by accident.
 */

export type JsonObject = Record<string, unknown>;

/** Keys that mean something to JavaScript objects and nothing to a push payload. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of JSON-like data without prototype-reaching keys. */
export function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (!isPlainObject(value)) return value;
  const copy: JsonObject = {};
  for (const key of Object.keys(value)) {
    // `undefined` means absent in JSON; keeping it would only confuse equality and key counts.
    if (!UNSAFE_KEYS.has(key) && value[key] !== undefined) copy[key] = cloneJson(value[key]);
  }
  return copy;
}

/**
 * Merges `upper` over `lower`, later winning. Only `aps` is merged key by key (Sygnal fills
 * `aps` of the default payload), and inside it `alert` when both sides are objects (a default
 * `title` survives Herald's `loc-key`); a string alert on either side is replaced whole.
 */
function layerTwo(lower: JsonObject, upper: JsonObject): JsonObject {
  const result: JsonObject = { ...lower };
  for (const key of Object.keys(upper)) {
    if (UNSAFE_KEYS.has(key) || upper[key] === undefined) continue;
    const value = cloneJson(upper[key]);
    const below = result[key];
    if (key === 'aps' && isPlainObject(below) && isPlainObject(value)) {
      result.aps = mergeAps(below, value);
    } else {
      result[key] = value;
    }
  }
  return result;
}

function mergeAps(lower: JsonObject, upper: JsonObject): JsonObject {
  const result: JsonObject = { ...lower, ...upper };
  if (isPlainObject(lower.alert) && isPlainObject(upper.alert)) {
    result.alert = { ...lower.alert, ...upper.alert };
  }
  return result;
}

/**
 * Layers payloads in order, later winning; non-object layers (a malformed device
 * `default_payload`) are ignored. The result shares nothing with its inputs.
 */
export function layerPayloads(...layers: unknown[]): JsonObject {
  let result: JsonObject = {};
  for (const layer of layers) {
    if (isPlainObject(layer)) result = layerTwo(result, layer);
  }
  return result;
}

/** The app's `default_payload` under the device's own, as configured (no Herald fields yet). */
export function defaultPayloadFor(appDefault: unknown, deviceData: { default_payload?: unknown } | undefined): JsonObject {
  return layerPayloads(appDefault, deviceData?.default_payload);
}
