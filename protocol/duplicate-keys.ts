/**
 * Finds a key that occurs twice in one JSON object. `JSON.parse` silently keeps
 * the last one, so `{"kind":"test","kind":"sos"}` would become an SOS on the hub
 * while a log, a proxy or another parser reads a test (RFC 8259 §4 leaves such
 * objects to each parser). An emergency system must not let two readers disagree
 * about a press, so the protocol refuses them.
 *
 * Why a scanner of our own: no maintained strict parser is installed, and this
 * one only has to walk text `JSON.parse` has already accepted, so it needs no
 * error handling. It is iterative (no recursion, so nesting cannot overflow the
 * stack), linear in the text, and compares keys after decoding their escapes,
 * so `"k\u0069nd"` is the same key as `"kind"`. tests/protocol-limits.test.ts
 * checks it against many shapes.
 */

/** The first key that is repeated within one object, or null. `text` must be JSON that `JSON.parse` accepted. */
export function findDuplicateKey(text: string): string | null {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (expectKey) {
        const keys = open[open.length - 1];
        // Escapes are rare in keys: decode only when there is one.
        const raw = text.slice(i + 1, end);
        const key = raw.includes("\\") ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (keys?.has(key)) return key;
        keys?.add(key);
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === OPEN_OBJECT) {
      open.push(new Set());
      expectKey = true;
    } else if (c === OPEN_ARRAY) {
      open.push(null);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      open.pop();
      expectKey = false;
    } else if (c === COMMA) {
      // After a comma inside an object comes a key; inside an array, a value.
      expectKey = open.length > 0 && open[open.length - 1] !== null;
    }
    i += 1;
  }
  return null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** Index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i;
    else i += 1;
  }
  return text.length;
}
