/**
 * What JSON.parse cannot tell about a JSON text: where the first syntax error is (V8 omits the position for an
 * unexpected token), and the order of keys that look like integers (a JavaScript object lists them in numeric
 * order, whatever the text said). Both scan the text once, without recursion, so a hostile nesting depth costs
 * nothing more than its length.
 */

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /["\\/bfnrt]|u[0-9a-fA-F]{4}/y;

function skipWhitespace(text: string, at: number): number {
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Offset just past the string that opens at `at`, or the negated offset (minus one) of the first fault in it. */
function skipString(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -i - 1;
    if (c === 0x5c) {
      ESCAPE.lastIndex = i + 1;
      if (!ESCAPE.test(text)) return -i - 1;
      i = ESCAPE.lastIndex;
    } else {
      i++;
    }
  }
  return -text.length - 1;
}

/** Offset past a scalar (string, number, literal) at `at`, or -1 when there is none. */
function skipScalar(text: string, at: number): number {
  if (text.charCodeAt(at) === 0x22) return skipString(text, at);
  for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, at)) return at + literal.length;
  NUMBER.lastIndex = at;
  return NUMBER.test(text) ? NUMBER.lastIndex : -1;
}

/** Offset of the first syntax error of a JSON text, or -1 when it is valid JSON. */
export function syntaxErrorAt(text: string): number {
  const open: number[] = [];
  let i = skipWhitespace(text, 0);
  let expect: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    if (expect === 'value') {
      const c = text.charCodeAt(i);
      if (c === 0x7b || c === 0x5b) {
        open.push(c);
        i = skipWhitespace(text, i + 1);
        if (text.charCodeAt(i) === c + 2) {
          open.pop();
          i++;
          expect = 'after';
        } else {
          expect = c === 0x7b ? 'key' : 'value';
        }
        continue;
      }
      const end = skipScalar(text, i);
      if (end < 0) return end === -1 ? i : -end - 1;
      i = end;
      expect = 'after';
    } else if (expect === 'key') {
      if (text.charCodeAt(i) !== 0x22) return i;
      const end = skipString(text, i);
      if (end < 0) return -end - 1;
      i = skipWhitespace(text, end);
      if (text.charCodeAt(i) !== 0x3a) return i;
      i = skipWhitespace(text, i + 1);
      expect = 'value';
    } else {
      i = skipWhitespace(text, i);
      const container = open.at(-1);
      if (container === undefined) return i === text.length ? -1 : i;
      const c = text.charCodeAt(i);
      if (c === container + 2) {
        open.pop();
        i++;
      } else if (c === 0x2c) {
        i = skipWhitespace(text, i + 1);
        expect = container === 0x7b ? 'key' : 'value';
      } else {
        return i;
      }
    }
  }
}

/** 1-based line of an offset (a line ends at \n, \r\n or \r). */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) line++;
  }
  return line;
}

/** Offset past the object or array that opens at `at` in valid JSON (strings may hold brackets). */
function skipContainer(text: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = skipString(text, i);
      if (i < 0) return text.length;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
    i++;
  }
  return text.length;
}

/** The first key of the object at `at` (`null` for `{}`), and the offset past the object. */
function firstKey(text: string, at: number): { key: string | null; end: number } {
  const start = skipWhitespace(text, at + 1);
  const end = skipContainer(text, at);
  if (text.charCodeAt(start) !== 0x22) return { key: null, end };
  const keyEnd = skipString(text, start);
  return { key: keyEnd < 0 ? null : JSON.parse(text.slice(start, keyEnd)) as string, end };
}

/**
 * For each element of the first array in valid JSON text that is the value of key `name`, the first key of the
 * element in source order (`null` for an element that is not an object). `undefined` when there is no such array.
 */
export function firstKeysInArray(text: string, name: string): (string | null)[] | undefined {
  const quoted = JSON.stringify(name);
  for (let found = text.indexOf(quoted); found >= 0; found = text.indexOf(quoted, found + 1)) {
    if (text.charCodeAt(found - 1) === 0x5c) continue;
    let i = skipWhitespace(text, found + quoted.length);
    if (text.charCodeAt(i) !== 0x3a) continue;
    i = skipWhitespace(text, i + 1);
    if (text.charCodeAt(i) !== 0x5b) continue;
    const keys: (string | null)[] = [];
    i = skipWhitespace(text, i + 1);
    while (i < text.length && text.charCodeAt(i) !== 0x5d) {
      if (text.charCodeAt(i) === 0x7b) {
        const { key, end } = firstKey(text, i);
        keys.push(key);
        i = end;
      } else {
        keys.push(null);
        const end = text.charCodeAt(i) === 0x5b ? skipContainer(text, i) : skipScalar(text, i);
        if (end < 0) return undefined;
        i = end;
      }
      i = skipWhitespace(text, i);
      if (text.charCodeAt(i) === 0x2c) i = skipWhitespace(text, i + 1);
    }
    return keys;
  }
  return undefined;
}
