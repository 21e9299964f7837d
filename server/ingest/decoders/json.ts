import { DecodeError } from "./decode-error.ts";

/**
 * Deeper than any device format (the deepest, an Impinj event, nests 3 levels). JSON.parse itself
 * copes with deep nesting, but anything recursive over the result (JSON.stringify for a reason, a
 * log serialiser) overflows the stack on a 10,000-deep array, so such a payload is refused first.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * A device payload parsed as JSON, every format's one way in: refused with a reason when it nests
 * deeper than MAX_JSON_DEPTH or is not JSON.
 */
export function parseDeviceJson(payload: Buffer | string): unknown {
  const bytes = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  // Fewer bytes than two per level cannot nest too deep: most readings skip the scan.
  if (bytes.length > 2 * MAX_JSON_DEPTH && nestsDeeperThan(bytes, MAX_JSON_DEPTH)) {
    throw new DecodeError(`payload nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new DecodeError(`payload is not JSON: ${(error as Error).message}`);
  }
}

/**
 * One pass over the bytes counting brackets outside strings, without parsing: cheap next to
 * JSON.parse, and it needs no stack however deep the payload. Malformed JSON is left to the parser.
 */
export function nestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth -= 1;
  }
  return false;
}
