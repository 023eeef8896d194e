#!/usr/bin/env node
// A probe of the risk engine's values, for check.py only (not part of adapter protocol
// v1): the adapter shows decisions, which move only when a margin is close to equity, so
// check.py also compares the values themselves, exactly, on generated books. One JSON
// object per line each way:
//   {"params": <params>, "now": t, "prices": {asset: P}, "expiry_prices": {market: E} (optional,
//    PRC-14), "books": [[{"market","qty","cost"}]]}
//   -> {"ok": true, "marks": {market: wad}, "books": [{"pnl","maintenance","initial"}],
//       "account": {"maintenance","initial"}}
// Marks are RISK-1/PRC-8 (wad), book margins RISK-5 (SPAN-1..SPAN-7 or RISK-4), the
// account's RISK-8 and RISK-IM-2 margins.

import { createInterface } from "node:readline";
import { parse, stringify } from "./json.js";
import { readParams } from "./params.js";
import { accountMargin, bookMargin, markWad, unrealizedPnl } from "./risk.js";

/** @typedef {import("./json.js").JsonValue} JsonValue @typedef {import("./state.js").Book} Book */

/** @param {string} line @returns {JsonValue} */
function answer(line) {
  const req = /** @type {{ [k: string]: JsonValue }} */ (parse(line));
  const p = readParams(req.params);
  const now = /** @type {bigint} */ (req.now);
  const fx = new Map(Object.entries(/** @type {{ [k: string]: bigint }} */ (req.expiry_prices ?? {})));
  const px = new Map(Object.entries(/** @type {{ [k: string]: bigint }} */ (req.prices)));
  const books = /** @type {{ market: string, qty: bigint, cost: bigint }[][]} */ (req.books).map(
    (b) => /** @type {Book} */ (new Map(b.map((x) => [x.market, { qty: x.qty, cost: x.cost }]))),
  );
  /** @type {{ [k: string]: JsonValue }} */
  const marks = {};
  for (const m of p.markets) {
    const P = px.get(m.underlying);
    if (P !== undefined) marks[m.id] = markWad(p, m, P, now, fx);
  }
  return {
    ok: true,
    marks,
    books: books.map((b) => ({
      pnl: unrealizedPnl(p, b, px, now, fx),
      maintenance: bookMargin(p, b, px, false, now, fx),
      initial: bookMargin(p, b, px, true, now, fx),
    })),
    account: { maintenance: accountMargin(p, books, px, false, now, fx), initial: accountMargin(p, books, px, true, now, fx) },
  };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let out;
  try {
    out = answer(line);
  } catch (e) {
    out = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(stringify(out) + "\n");
}
