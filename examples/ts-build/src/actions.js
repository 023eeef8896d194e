// Actions (state.md: ACT-1..ACT-25) and payloads (messaging.md: MSG-1..MSG-7) read from
// their JSON (spec/schema/action.schema.json), strict and closed like PAR-13: a missing
// or unknown field, a wrong JSON type or a value out of its bound (README: BND-1..BND-5,
// ID-1) is refused with the field's path.

import { MAX_AMOUNT, MAX_QTY } from "./num.js";

/** @typedef {import("./json.js").JsonValue} JsonValue */

const MAX_PRICE = 10n ** 12n; // BND-2
const MAX_SECONDS = 10n ** 9n; // BND-4
const ID = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/; // ID-1

/** @typedef {[bigint | null, bigint | null]} Range */
/** @type {Record<string, Range>} */
const RANGES = {
  amount: [1n, MAX_AMOUNT],
  amount0: [0n, MAX_AMOUNT],
  qty: [-MAX_QTY, MAX_QTY],
  price: [0n, MAX_PRICE],
  pprice: [1n, MAX_PRICE],
  seconds: [1n, MAX_SECONDS],
  counter: [0n, null],
  balance: [-4n * MAX_AMOUNT, 4n * MAX_AMOUNT],
  cost: [-MAX_AMOUNT, MAX_AMOUNT],
  rvalue: [0n, MAX_SECONDS],
};

/** Field kinds per type: "id", "payload", "positions", or a key of RANGES.
 * @type {Record<string, Record<string, string>>} */
const ACTIONS = {
  Deposit: { account: "id", asset: "id", amount: "amount" },
  Withdraw: { account: "id", asset: "id", amount: "amount" },
  GrantCredit: { account: "id", spoke: "id", amount: "amount" },
  ReleaseCredit: { spoke: "id", account: "id", amount: "amount" },
  Trade: { spoke: "id", account: "id", market: "id", qty: "qty", price: "price" },
  SendReport: { spoke: "id", account: "id" },
  PublishPrice: { feed: "id", price: "pprice" },
  AdvanceTime: { seconds: "seconds" },
  Liquidate: { account: "id" },
  SetCap: { spoke: "id", cap: "amount0" },
  PauseSpoke: { spoke: "id" },
  UnpauseSpoke: { spoke: "id" },
  PayOut: { spoke: "id", asset: "id", amount: "amount" }, // ACT-19
  Deliver: { message_id: "counter" },
  Inject: { sender: "id", receiver: "id", payload: "payload" },
  ForceSettle: { account: "id" }, // ACT-15
  ListSpoke: { spoke: "id" }, // ACT-16
  DelistSpoke: { spoke: "id" }, // ACT-17
  RemoveSpoke: { spoke: "id" }, // ACT-18
  ProposeParamChange: { param: "param", target: "id", value: "rvalue", effective_at: "counter" }, // ACT-21
  ApplyParamChange: { param: "param", target: "id" }, // ACT-22
  PartialLiquidate: { spoke: "id", account: "id" }, // ACT-20
  Halt: { spoke: "id" }, // ACT-23
  Resume: { spoke: "id" }, // ACT-24
  Reorg: { spoke: "id", depth: "seconds" }, // ACT-25
};

/** PAR-26: the bounds of each risk parameter's value (those of PAR-1 and PAR-3).
 * @type {Record<string, Range>} */
const RISK_PARAMS = { haircut_bps: [0n, 9_999n], latency_s: [1n, MAX_SECONDS] };

/** @type {Record<string, Record<string, string>>} */
const PAYLOADS = {
  CreditGrant: { account: "id", amount: "amount", epoch: "counter" },
  MarginCall: { account: "id", epoch: "counter" },
  CreditRelease: { account: "id", amount: "amount" },
  LossClaim: { account: "id", amount: "amount" },
  ExposureReport: { account: "id", seq: "counter", balance: "balance", positions: "positions", time: "counter?" },
  LiquidationReport: { account: "id", epoch: "counter", seq: "counter", released: "amount0", loss: "amount0", balance: "balance" },
};

const POSITION = { market: "id", qty: "qty", cost: "cost" };

/** @param {string} path @param {string} what @returns {never} */
function bad(path, what) {
  throw new Error(`${path}: ${what}`);
}

/**
 * @param {JsonValue} v @param {string} kind @param {string} path @returns {unknown}
 */
function field(v, kind, path) {
  if (kind === "id") {
    if (typeof v !== "string" || !ID.test(v)) bad(path, "expected an identifier (ID-1)");
    return v;
  }
  if (kind === "payload") return closed(v, PAYLOADS, path);
  if (kind === "param") {
    if (typeof v !== "string" || !Object.hasOwn(RISK_PARAMS, v)) bad(path, "expected haircut_bps or latency_s (PAR-26)");
    return v;
  }
  if (kind === "positions") {
    if (!Array.isArray(v)) bad(path, "expected a list of positions");
    return v.map((x, i) => fields(x, POSITION, `${path}.${i}`));
  }
  const [lo, hi] = RANGES[kind];
  if (typeof v !== "bigint") bad(path, "expected an integer");
  if ((lo !== null && v < lo) || (hi !== null && v > hi)) bad(path, "out of bounds");
  return v;
}

/** @param {JsonValue} v @param {Record<string, string>} spec @param {string} path @param {string[]} [extra] */
function fields(v, spec, path, extra = []) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) bad(path, "expected an object");
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const key of Object.keys(v)) if (!(key in spec) && !extra.includes(key)) bad(`${path}.${key}`, "unknown field");
  for (const [key, kind] of Object.entries(spec)) {
    const x = v[key];
    const optional = kind.endsWith("?"); // a field with a default of 0 (MSG-5's time)
    if (x === undefined && optional) out[key] = 0n;
    else if (x === undefined) bad(`${path}.${key}`, "missing field");
    else out[key] = field(x, optional ? kind.slice(0, -1) : kind, `${path}.${key}`);
  }
  return out;
}

/** @param {JsonValue} v @param {Record<string, Record<string, string>>} kinds @param {string} path */
function closed(v, kinds, path) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) bad(path, "expected an object");
  const type = v.type;
  if (typeof type !== "string" || !Object.hasOwn(kinds, type)) bad(`${path}.type`, `unknown type ${String(type)}`);
  return { type, ...fields(v, kinds[type], path, ["type"]) };
}

/**
 * Read one action.
 * @param {JsonValue} v @returns {import("./step.js").Action}
 */
export function readAction(v) {
  const a = /** @type {Record<string, unknown>} */ (closed(v, ACTIONS, "action"));
  if (a.type === "ProposeParamChange") {
    // PAR-26: the value within the bounds of the parameter it changes
    const [lo, hi] = RISK_PARAMS[/** @type {string} */ (a.param)];
    const value = /** @type {bigint} */ (a.value);
    if ((lo !== null && value < lo) || (hi !== null && value > hi)) bad("action.value", `out of the bounds of ${String(a.param)}`);
  }
  return /** @type {import("./step.js").Action} */ (a);
}
