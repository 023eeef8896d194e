// Exact JSON for the wire (TRC-4: integers are exact and may exceed 2^53).
//
// JSON.parse turns every number into a float, and Node 20 has no reviver access to
// the source text, so this module carries a small recursive-descent parser (RFC 8259)
// that reads every integer literal as a BigInt. A number with a fraction or an
// exponent is not an integer of this protocol and is refused. `stringify` writes
// BigInts as plain decimal digits.

/** @typedef {import("./jsonvalue.js").JsonValue} JsonValue */

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
/** @type {Record<string, string>} */
const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const INTEGER = /-?(0|[1-9][0-9]*)/y;
const NOT_INTEGER = /[.eE]/y;

/**
 * Parse one JSON text; integers become BigInt.
 * @param {string} text
 * @returns {JsonValue}
 */
export function parse(text) {
  let at = 0;
  const fail = (/** @type {string} */ what) => {
    throw new SyntaxError(`invalid JSON at offset ${at}: ${what}`);
  };
  const skip = () => {
    while (at < text.length && WHITESPACE.has(text[at])) at++;
  };
  const expect = (/** @type {string} */ word) => {
    if (text.startsWith(word, at)) at += word.length;
    else fail(`expected ${word}`);
  };
  /** @returns {string} */
  const string = () => {
    expect('"');
    let out = "";
    for (;;) {
      if (at >= text.length) fail("unterminated string");
      const c = text[at++];
      if (c === '"') return out;
      if (c === "\\") {
        const e = text[at++];
        if (e === "u") {
          const hex = text.slice(at, at + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          at += 4;
        } else if (e in ESCAPES) out += ESCAPES[e];
        else fail("bad escape");
      } else if (c < " ") fail("control character in string");
      else out += c;
    }
  };
  /** @returns {JsonValue} */
  const value = () => {
    skip();
    const c = text[at];
    if (c === "{") {
      at++;
      /** @type {{ [key: string]: JsonValue }} */
      const obj = Object.create(null);
      skip();
      if (text[at] === "}") {
        at++;
        return obj;
      }
      for (;;) {
        skip();
        const key = string();
        skip();
        expect(":");
        obj[key] = value();
        skip();
        if (text[at] === ",") at++;
        else if (text[at] === "}") {
          at++;
          return obj;
        } else fail("expected , or }");
      }
    }
    if (c === "[") {
      at++;
      /** @type {JsonValue[]} */
      const arr = [];
      skip();
      if (text[at] === "]") {
        at++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        skip();
        if (text[at] === ",") at++;
        else if (text[at] === "]") {
          at++;
          return arr;
        } else fail("expected , or ]");
      }
    }
    if (c === '"') return string();
    if (text.startsWith("true", at)) return (at += 4), true;
    if (text.startsWith("false", at)) return (at += 5), false;
    if (text.startsWith("null", at)) return (at += 4), null;
    INTEGER.lastIndex = at;
    const m = INTEGER.exec(text);
    if (!m) return fail("unexpected character");
    at += m[0].length;
    NOT_INTEGER.lastIndex = at;
    if (NOT_INTEGER.test(text)) fail("only integers are numbers in this protocol");
    return BigInt(m[0]);
  };
  const result = value();
  skip();
  if (at !== text.length) fail("trailing characters");
  return result;
}

/**
 * Write a value as one line of JSON; BigInts (and safe integer Numbers) as exact digits.
 * @param {unknown} v
 * @returns {string}
 */
export function stringify(v) {
  if (v === null || v === undefined) return "null";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new TypeError(`not an exact integer: ${v}`);
    return String(v);
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stringify).join(",")}]`;
  const entries = Object.entries(/** @type {object} */ (v));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stringify(x)}`).join(",")}}`;
}
