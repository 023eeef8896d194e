// A JSON value as src/json.js reads it: every integer is a BigInt (TRC-4).
export type JsonValue = null | boolean | string | bigint | JsonValue[] | { [key: string]: JsonValue };
