// The risk engine (risk.md: RISK-1..RISK-8, RISK-10..RISK-13). Exact integers only;
// the Greeks (RISK-9) are analytics that no observable value reads, so they are left out.

import { abs, bpsUp, ceilDiv, floorDiv, isqrtCeil, max, min, BPS, SECONDS_PER_YEAR } from "./num.js";
import { at } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./params.js").Market} Market
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Book} Book
 * @typedef {Map<string, bigint>} Prices
 */

/** RISK-1: the mark of one lot at underlying price P (options at intrinsic value).
 * @param {Market} m @param {bigint} P */
export function mark(m, P) {
  if (m.kind === "perp") return P;
  const K = /** @type {bigint} */ (m.strike);
  return m.kind === "call" ? max(P - K, 0n) : max(K - P, 0n);
}

/** The underlyings of a book's positions.
 * @param {Params} p @param {Book} book @returns {Set<string>} */
export function underlyings(p, book) {
  return new Set([...book.keys()].map((id) => at(p.market, id).underlying));
}

/** RISK-2: unrealized PnL of a book, sum of qty * mark - cost.
 * @param {Params} p @param {Book} book @param {Prices} px */
export function unrealizedPnl(p, book, px) {
  let total = 0n;
  for (const [id, pos] of book) {
    const m = at(p.market, id);
    total += pos.qty * mark(m, at(px, m.underlying)) - pos.cost;
  }
  return total;
}

/** RISK-3: notional = |qty| * P(underlying).
 * @param {Market} m @param {bigint} qty @param {Prices} px */
function notional(m, qty, px) {
  return abs(qty) * at(px, m.underlying);
}

/** RISK-4: per-position margin over perpetuals and short options, each rounded up.
 * @param {Params} p @param {Book} book @param {Prices} px @param {boolean} initial */
function perPositionMargin(p, book, px, initial) {
  let total = 0n;
  for (const [id, pos] of book) {
    const m = at(p.market, id);
    if (m.kind === "perp" || pos.qty < 0n) total += bpsUp(notional(m, pos.qty, px), initial ? m.im_bps : m.mm_bps);
  }
  return total;
}

/** RISK-7: the 16 (price, cover) scenarios of the scan grid for an underlying.
 * @param {Params} p @param {string} asset @param {bigint} P @returns {[bigint, bigint][]} */
function scanGrid(p, asset, P) {
  const R = at(p.asset, asset).scan_range_bps;
  const { vol_scan_bps: V, extreme_multiple: X, extreme_cover_bps: C } = p.portfolio;
  /** @type {[bigint, bigint][]} */
  const grid = [];
  for (const f of [BPS - V, BPS + V]) {
    for (let k = -3n; k <= 3n; k++) {
      const move = ceilDiv(P * R * abs(k) * f, 3n * BPS * BPS);
      grid.push([k > 0n ? P + move : k < 0n ? max(P - move, 0n) : P, BPS]);
    }
  }
  const E = ceilDiv(P * X * R, BPS);
  grid.push([P + E, C], [max(P - E, 0n), C]);
  return grid;
}

/** RISK-7: the scan margin of a book, summed per underlying (no offset across underlyings).
 * @param {Params} p @param {Book} book @param {Prices} px */
export function scanMargin(p, book, px) {
  let total = 0n;
  for (const x of underlyings(p, book)) {
    const P = at(px, x);
    let scan = 0n;
    for (const [S, cover] of scanGrid(p, x, P)) {
      let loss = 0n;
      for (const [id, pos] of book) {
        const m = at(p.market, id);
        if (m.underlying === x) loss -= pos.qty * (mark(m, S) - mark(m, P));
      }
      if (loss > 0n) scan = max(scan, ceilDiv(loss * cover, BPS));
    }
    total += scan;
  }
  return total;
}

/** RISK-5: the margin of one book under the declared method, initial or maintenance.
 * @param {Params} p @param {Book} book @param {Prices} px @param {boolean} initial */
export function bookMargin(p, book, px, initial) {
  if (p.margin_method === "per_position") return perPositionMargin(p, book, px, initial);
  const s = scanMargin(p, book, px);
  return initial ? ceilDiv(s * p.portfolio.im_bps, BPS) : s;
}

/** RISK-8: books merged across spokes (qty and cost summed per market, zero sizes dropped).
 * @param {Book[]} books @returns {Book} */
function merged(books) {
  /** @type {Book} */
  const out = new Map();
  for (const book of books) {
    for (const [id, pos] of book) {
      const old = out.get(id) ?? { qty: 0n, cost: 0n };
      out.set(id, { qty: old.qty + pos.qty, cost: old.cost + pos.cost });
    }
  }
  for (const [id, pos] of out) if (pos.qty === 0n) out.delete(id);
  return out;
}

/** RISK-6: the buffer rate in bps of a spoke for an underlying, ceil(z * sigma * sqrt(L / Y)).
 * @param {Params} p @param {string} spoke @param {string} asset */
function bufferRate(p, spoke, asset) {
  const zs = p.buffer_z_milli * at(p.asset, asset).volatility_bps;
  return isqrtCeil(ceilDiv(zs * zs * at(p.spoke, spoke).latency_s, 1_000_000n * SECONDS_PER_YEAR));
}

/** RISK-6: the buffer of one spoke's book, long options included.
 * @param {Params} p @param {string} spoke @param {Book} book @param {Prices} px */
function bookBuffer(p, spoke, book, px) {
  let total = 0n;
  for (const [id, pos] of book) {
    const m = at(p.market, id);
    total += bpsUp(notional(m, pos.qty, px), bufferRate(p, spoke, m.underlying));
  }
  return total;
}

/** RISK-1: collateral value after haircuts, each asset rounded down on its own.
 * @param {Params} p @param {Map<string, bigint>} holdings @param {Prices} px */
export function collateralValue(p, holdings, px) {
  let total = 0n;
  for (const [x, amount] of holdings) {
    if (amount !== 0n) total += floorDiv(amount * at(px, x) * (BPS - at(p.asset, x).haircut_bps), BPS);
  }
  return total;
}

/**
 * RISK-13: the spokes an account uses (hub.linked), with `joining` added when a grant
 * is judged as if given (HUB-GRANT-2).
 * @param {State} s @param {string} account @param {string | null} [joining] @returns {string[]}
 */
export function usedSpokes(s, account, joining = null) {
  const used = new Set(at(s.hub.linked, account));
  if (joining !== null) used.add(joining);
  return [...used];
}

/**
 * HUB-WD-3, ORA-7: the assets whose prices value an account at the hub: each asset it
 * holds a non-zero amount of, and each underlying of the reported books of `spokes`.
 * @param {Params} p @param {State} s @param {string} account @param {string[]} spokes
 */
export function valuationAssets(p, s, account, spokes) {
  const assets = new Set();
  for (const [x, amount] of at(s.hub.collateral, account)) if (amount !== 0n) assets.add(x);
  for (const sp of spokes) for (const x of underlyings(p, at(at(s.hub.reports, account), sp).positions)) assets.add(x);
  return assets;
}

/**
 * RISK-10..RISK-12: the hub's view of an account over the spokes it uses: equity
 * (= capacity), maintenance margin (netted under portfolio), latency buffer, requirement.
 * `holdings` overrides its collateral (a withdrawal judged after it, HUB-WD-3).
 * @param {Params} p @param {State} s @param {string} account @param {string[]} spokes @param {Prices} px
 * @param {Map<string, bigint>} [holdings]
 */
export function hubView(p, s, account, spokes, px, holdings) {
  const reports = at(s.hub.reports, account);
  let equity = collateralValue(p, holdings ?? at(s.hub.collateral, account), px);
  let buffer = 0n;
  let maintenance = 0n;
  for (const sp of spokes) {
    const r = at(reports, sp);
    equity += min(0n, r.balance + unrealizedPnl(p, r.positions, px)); // RISK-11: losses only
    buffer += bookBuffer(p, sp, r.positions, px);
    if (p.margin_method === "per_position") maintenance += bookMargin(p, r.positions, px, false);
  }
  if (p.margin_method === "portfolio") {
    maintenance = scanMargin(p, merged(spokes.map((sp) => at(reports, sp).positions)), px);
  }
  return { equity, buffer, maintenance, requirement: maintenance + buffer };
}
