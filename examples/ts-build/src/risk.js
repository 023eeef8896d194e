// The risk engine (risk.md: RISK-1..RISK-8, RISK-10..RISK-13, RISK-NET-1..RISK-NET-3,
// RISK-IM-1..RISK-IM-2; span.md: SPAN-1..SPAN-8). Exact integers only; options priced by
// pricing.js. The portfolio Greeks (RISK-9) and the health factors, margin ratio and
// liquidation price (RISK-IM-3..RISK-IM-5) are analytics that no observable value
// reads, so they are left out.

import { abs, bpsDown, bpsUp, ceilDiv, floorDiv, isqrtCeil, max, min, BPS, SECONDS_PER_YEAR } from "./num.js";
import { deltaWad, ONE, optionWad } from "./pricing.js";
import { at } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./params.js").Market} Market
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Book} Book
 * @typedef {Map<string, bigint>} Prices
 * @typedef {Map<string, bigint>} Fixings PRC-14: option market -> its fixed expiry price
 */

/** PRC-12: an option's volatility: its market's if declared, else its underlying's.
 * @param {Params} p @param {Market} m */
function marketVolatility(p, m) {
  return m.volatility_bps ?? at(p.asset, m.underlying).volatility_bps;
}

/** PRC-13: an option before its expiry (it still has time value).
 * @param {Market} m @param {bigint} now */
function isLiveOption(m, now) {
  return m.expiry !== null && now < m.expiry;
}

/** PRC-13, PRC-14: the expiry price an expired option settles at once fixed, else null
 * (a perpetual, a live option, or an expired one not fixed yet: PRC-15).
 * @param {Market} m @param {bigint} now @param {Fixings} fx */
function expiryPrice(m, now, fx) {
  if (m.expiry === null || now < m.expiry) return null;
  return fx.get(m.id) ?? null;
}

/**
 * RISK-1, PRC-8, PRC-13..PRC-16: one lot's value in wad at price P and volatility `vol`:
 * P * ONE for a perpetual; an option's Black-Scholes value at time to expiry `expiry - now`
 * (from expiry on, intrinsic at its expiry price once fixed, at P until then); at a zero
 * price a call is worth 0 and a put its strike.
 * @param {Market} m @param {bigint} P @param {bigint} vol @param {bigint} now @param {Fixings} fx
 */
function markWadAt(m, P, vol, now, fx) {
  if (m.kind === "perp") return P * ONE;
  P = expiryPrice(m, now, fx) ?? P;
  const K = /** @type {bigint} */ (m.strike);
  if (P === 0n) return m.kind === "call" ? 0n : K * ONE;
  return optionWad(m.kind, { spot: P, strike: K, vol, seconds: /** @type {bigint} */ (m.expiry) - now });
}

/** RISK-1: one lot's value in wad at the market's volatility (PRC-12).
 * @param {Params} p @param {Market} m @param {bigint} P @param {bigint} now @param {Fixings} fx */
export function markWad(p, m, P, now, fx) {
  return markWadAt(m, P, marketVolatility(p, m), now, fx);
}

/** The underlyings of a book's positions.
 * @param {Params} p @param {Book} book @returns {Set<string>} */
export function underlyings(p, book) {
  return new Set([...book.keys()].map((id) => at(p.market, id).underlying));
}

/** RISK-2: floor(sum of qty * mark in wad / ONE) - sum of cost: the book's value rounded once, down.
 * @param {Params} p @param {Book} book @param {Prices} px @param {bigint} now @param {Fixings} fx */
export function unrealizedPnl(p, book, px, now, fx) {
  let value = 0n;
  let cost = 0n;
  for (const [id, pos] of book) {
    const m = at(p.market, id);
    value += pos.qty * markWad(p, m, at(px, m.underlying), now, fx);
    cost += pos.cost;
  }
  return floorDiv(value, ONE) - cost;
}

/** RISK-3: notional = |qty| * P(underlying).
 * @param {Market} m @param {bigint} qty @param {Prices} px */
function notional(m, qty, px) {
  return abs(qty) * at(px, m.underlying);
}

/** SPAN-5: the least margin of `lots` short live option lots at price P.
 * @param {Params} p @param {bigint} lots @param {bigint} P */
function shortOptionMinimum(p, lots, P) {
  return bpsUp(lots * P, p.portfolio.short_option_min_bps);
}

/** RISK-4: perpetuals and short options at `bps` of notional, rounded up; a short live
 * option at least its short option minimum (SPAN-5); a long or settled option nothing (PRC-13).
 * @param {Params} p @param {Book} book @param {Prices} px @param {boolean} initial @param {bigint} now @param {Fixings} fx */
function perPositionMargin(p, book, px, initial, now, fx) {
  let total = 0n;
  for (const [id, pos] of book) {
    const m = at(p.market, id);
    if (m.kind !== "perp" && (pos.qty > 0n || expiryPrice(m, now, fx) !== null)) continue;
    const byRate = bpsUp(notional(m, pos.qty, px), initial ? m.im_bps : m.mm_bps);
    total += isLiveOption(m, now) ? max(byRate, shortOptionMinimum(p, -pos.qty, at(px, m.underlying))) : byRate;
  }
  return total;
}

/**
 * SPAN-1: the 16 scenarios of an underlying at price P: [price, volatility move, cover].
 * Price unchanged, up/down 1/3, 2/3, 3/3 of the range, each with volatility up then
 * down (cover 10_000); then the extreme moves at unchanged volatility (cover C).
 * @param {Params} p @param {string} asset @param {bigint} P @returns {[bigint, -1 | 0 | 1, bigint][]}
 */
function scenarios(p, asset, P) {
  const R = at(p.asset, asset).scan_range_bps;
  const { extreme_multiple: X, extreme_cover_bps: C } = p.portfolio;
  /** @type {[bigint, -1 | 0 | 1, bigint][]} */
  const grid = [];
  for (const k of [0n, 1n, -1n, 2n, -2n, 3n, -3n]) {
    const move = ceilDiv(P * R * abs(k), 3n * BPS);
    const moved = k > 0n ? P + move : max(P - move, 0n);
    grid.push([moved, 1, BPS], [moved, -1, BPS]);
  }
  const E = ceilDiv(P * X * R, BPS);
  grid.push([P + E, 0, C], [max(P - E, 0n), 0, C]);
  return grid;
}

/** SPAN-2: a scenario's volatility: up rounds up, down rounds down, unchanged stays.
 * @param {Params} p @param {bigint} vol @param {-1 | 0 | 1} move */
function shiftedVolatility(p, vol, move) {
  const V = p.portfolio.vol_scan_bps;
  if (move > 0) return bpsUp(vol, BPS + V);
  if (move < 0) return bpsDown(vol, BPS - V);
  return vol;
}

/** SPAN-3: the worst covered loss over the 16 scenarios of `asset`, zero if nothing loses.
 * @param {Params} p @param {Book} book @param {Prices} px @param {string} asset @param {bigint} now @param {Fixings} fx */
function scanRisk(p, book, px, asset, now, fx) {
  const P = at(px, asset);
  let worst = 0n;
  for (const [price, move, cover] of scenarios(p, asset, P)) {
    let change = 0n;
    for (const [id, pos] of book) {
      const m = at(p.market, id);
      if (m.underlying !== asset) continue;
      const vol = shiftedVolatility(p, marketVolatility(p, m), move);
      change += pos.qty * (markWadAt(m, price, vol, now, fx) - markWad(p, m, P, now, fx));
    }
    const loss = ceilDiv(-change, ONE);
    if (loss > 0n) worst = max(worst, bpsUp(loss, cover));
  }
  return worst;
}

/** SPAN-6: the inter-month spread charge of `asset`: deltas (PRC-11) net per tenor (an
 * option expiry; perpetuals their own), spreads = min(long tenors, |short tenors|); a settled
 * option's delta is 0 (PRC-13), at a zero price a call's 0 and a put's -ONE (PRC-16).
 * @param {Params} p @param {Book} book @param {Prices} px @param {string} asset @param {bigint} now @param {Fixings} fx */
function spreadCharge(p, book, px, asset, now, fx) {
  const P = at(px, asset);
  /** @type {Map<bigint, bigint>} */
  const byTenor = new Map();
  for (const [id, pos] of book) {
    const m = at(p.market, id);
    if (m.underlying !== asset) continue;
    const lot =
      m.kind === "perp"
        ? ONE
        : expiryPrice(m, now, fx) !== null
          ? 0n
          : P === 0n
            ? (m.kind === "call" ? 0n : -ONE)
            : deltaWad(m.kind, {
            spot: P,
            strike: /** @type {bigint} */ (m.strike),
            vol: marketVolatility(p, m),
            seconds: /** @type {bigint} */ (m.expiry) - now,
          });
    const tenor = m.expiry ?? -1n;
    byTenor.set(tenor, (byTenor.get(tenor) ?? 0n) + pos.qty * lot);
  }
  let longs = 0n;
  let shorts = 0n;
  for (const d of byTenor.values()) {
    if (d > 0n) longs += d;
    else shorts -= d;
  }
  return ceilDiv(min(longs, shorts) * P * p.portfolio.spread_charge_bps, BPS * ONE);
}

/** SPAN-7: max(min(scan risk + spread charge, standalone risk), short option minimum).
 * @param {Params} p @param {Book} book @param {Prices} px @param {string} asset @param {bigint} now @param {Fixings} fx */
function underlyingRisk(p, book, px, asset, now, fx) {
  const offset = scanRisk(p, book, px, asset, now, fx) + spreadCharge(p, book, px, asset, now, fx);
  let standalone = 0n;
  let shortLots = 0n;
  for (const [id, pos] of book) {
    const m = at(p.market, id);
    if (m.underlying !== asset) continue;
    standalone += scanRisk(p, new Map([[id, pos]]), px, asset, now, fx);
    if (isLiveOption(m, now) && pos.qty < 0n) shortLots -= pos.qty;
  }
  return max(min(offset, standalone), shortOptionMinimum(p, shortLots, at(px, asset)));
}

/** RISK-7, SPAN-7, SPAN-8: the scan margin of a book, summed per underlying.
 * @param {Params} p @param {Book} book @param {Prices} px @param {bigint} now @param {Fixings} fx */
export function scanMargin(p, book, px, now, fx) {
  let total = 0n;
  for (const x of underlyings(p, book)) total += underlyingRisk(p, book, px, x, now, fx);
  return total;
}

/** RISK-5: the margin of one book under the declared method, initial or maintenance.
 * @param {Params} p @param {Book} book @param {Prices} px @param {boolean} initial @param {bigint} now @param {Fixings} fx */
export function bookMargin(p, book, px, initial, now, fx) {
  if (p.margin_method === "per_position") return perPositionMargin(p, book, px, initial, now, fx);
  const s = scanMargin(p, book, px, now, fx);
  return initial ? bpsUp(s, p.portfolio.im_bps) : s;
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

/** RISK-8: the netted scan margin of an account's books, never more than the isolated one.
 * @param {Params} p @param {Book[]} books @param {Prices} px @param {bigint} now @param {Fixings} fx */
function nettedMargin(p, books, px, now, fx) {
  let isolated = 0n;
  for (const book of books) isolated += scanMargin(p, book, px, now, fx);
  return min(scanMargin(p, merged(books), px, now, fx), isolated);
}

/** RISK-8 (maintenance) and RISK-IM-2 (initial): the hub's margin of an account's books.
 * @param {Params} p @param {Book[]} books @param {Prices} px @param {boolean} initial @param {bigint} now @param {Fixings} fx */
export function accountMargin(p, books, px, initial, now, fx) {
  if (p.margin_method === "per_position") {
    let total = 0n;
    for (const book of books) total += perPositionMargin(p, book, px, initial, now, fx);
    return total;
  }
  const s = nettedMargin(p, books, px, now, fx);
  return initial ? bpsUp(s, p.portfolio.im_bps) : s;
}

/** RISK-6: the buffer rate in bps for an underlying over a horizon of H seconds,
 * ceil(z * sigma * sqrt(H / Y)).
 * @param {Params} p @param {string} asset @param {bigint} H */
function bufferRate(p, asset, H) {
  const zs = p.buffer_z_milli * at(p.asset, asset).volatility_bps;
  return isqrtCeil(ceilDiv(zs * zs * H, 1_000_000n * SECONDS_PER_YEAR));
}

/** PRC-4: the error bound of the pricer's N in wad (so of its deltas). */
const CDF_ERROR_WAD = 2n;

/** RISK-AGE-5: the buffer weight of a position in wad: 0 for a settled option (PRC-13); ONE
 * for a perpetual, a short or a zero price; a long option's |delta| (PRC-11), before expiry
 * raised by CDF_ERROR_WAD, capped at ONE.
 * @param {Params} p @param {Market} m @param {bigint} qty @param {bigint} P @param {bigint} now @param {Fixings} fx */
function bufferWeight(p, m, qty, P, now, fx) {
  if (expiryPrice(m, now, fx) !== null) return 0n;
  if (m.kind === "perp" || qty < 0n || P === 0n) return ONE;
  const inputs = {
    spot: P,
    strike: /** @type {bigint} */ (m.strike),
    vol: marketVolatility(p, m),
    seconds: /** @type {bigint} */ (m.expiry) - now,
  };
  const delta = abs(deltaWad(m.kind, inputs));
  return isLiveOption(m, now) ? min(ONE, delta + CDF_ERROR_WAD) : delta;
}

/** RISK-6, RISK-AGE-2, RISK-AGE-5: the buffer of one spoke's book over its horizon (latency
 * plus the report's age): sum of ceil(|qty| * weight * P * rate / (10_000 * ONE)).
 * @param {Params} p @param {string} spoke @param {Book} book @param {Prices} px @param {bigint} now @param {bigint} age @param {Fixings} fx */
function bookBuffer(p, spoke, book, px, now, age, fx) {
  const H = at(p.spoke, spoke).latency_s + age;
  let total = 0n;
  for (const [id, pos] of book) {
    const m = at(p.market, id);
    const P = at(px, m.underlying);
    const w = bufferWeight(p, m, pos.qty, P, now, fx);
    total += ceilDiv(abs(pos.qty) * w * P * bufferRate(p, m.underlying, H), BPS * ONE);
  }
  return total;
}

/** RISK-AGE-2: the age of the hub's report: now less the time it carries, never below 0.
 * @param {State} s @param {{ time: bigint }} r */
function reportAge(s, r) {
  return max(0n, s.now - r.time);
}

/** RISK-AGE-4: whether one of `spokes` has reported positions for the account longer ago
 * than max_report_age_s (then grants and withdrawals fail closed REPORT_TOO_OLD).
 * @param {Params} p @param {State} s @param {string} account @param {string[]} spokes */
export function hasStaleBook(p, s, account, spokes) {
  const reports = at(s.hub.reports, account);
  return spokes.some((sp) => {
    const r = at(reports, sp);
    return r.positions.size > 0 && reportAge(s, r) > p.max_report_age_s;
  });
}

/**
 * RISK-1, RISK-IM-1: the value of holdings after a haircut per asset, each asset rounded
 * down on its own: `haircut_bps` gives the collateral value CV (health), the loan-to-value
 * haircut (`ltv_haircut_bps`, `haircut_bps` when absent) the loan value LV (capacity).
 * @param {Params} p @param {Map<string, bigint>} holdings @param {Prices} px @param {"haircut_bps" | "ltv_haircut_bps"} haircut
 */
export function collateralValue(p, holdings, px, haircut) {
  let total = 0n;
  for (const [x, amount] of holdings) {
    const a = at(p.asset, x);
    const cut = haircut === "haircut_bps" ? a.haircut_bps : a.ltv_haircut_bps ?? a.haircut_bps;
    if (amount !== 0n) total += floorDiv(amount * at(px, x) * (BPS - cut), BPS);
  }
  return total;
}

/**
 * RISK-NET-1: the value of spoke `sp`'s clearing pool (the tokens owed to its partition)
 * after the liquidation haircuts; an asset without a price in `px` counts 0.
 * @param {Params} p @param {State} s @param {string} sp @param {Prices} px
 */
function poolValue(p, s, sp, px) {
  let total = 0n;
  for (const [x, amount] of at(s.hub.owed, sp)) {
    const P = px.get(x);
    if (amount !== 0n && P !== undefined) total += floorDiv(amount * P * (BPS - at(p.asset, x).haircut_bps), BPS);
  }
  return total;
}

/**
 * RISK-NET-1: the assets in the clearing pools of `spokes` (non-zero amounts): health
 * also takes those of their prices that are available.
 * @param {State} s @param {string[]} spokes
 */
export function poolAssets(s, spokes) {
  const assets = new Set();
  for (const sp of spokes) for (const [x, amount] of at(s.hub.owed, sp)) if (amount !== 0n) assets.add(x);
  return assets;
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
 * RISK-10..RISK-12, RISK-NET-2..RISK-NET-4, RISK-IM-1..RISK-IM-2: the hub's view of an
 * account over the spokes it uses: equity (CV less reported losses), capacity (LV less
 * reported losses), net equity (equity plus the profits the clearing pools back),
 * maintenance margin, latency buffer, requirement and initial requirement.
 * `holdings` overrides its collateral (a withdrawal judged after it, HUB-WD-3).
 * @param {Params} p @param {State} s @param {string} account @param {string[]} spokes @param {Prices} px
 * @param {Map<string, bigint>} [holdings]
 */
export function hubView(p, s, account, spokes, px, holdings) {
  const reports = at(s.hub.reports, account);
  const held = holdings ?? at(s.hub.collateral, account);
  let losses = 0n;
  let backed = 0n;
  let buffer = 0n;
  for (const sp of spokes) {
    const r = at(reports, sp);
    const pnl = r.balance + unrealizedPnl(p, r.positions, px, s.now, s.expiry_prices);
    losses += min(0n, pnl); // RISK-11: losses spoke by spoke
    backed += min(max(0n, pnl), poolValue(p, s, sp, px)); // RISK-NET-2
    buffer += bookBuffer(p, sp, r.positions, px, s.now, reportAge(s, r), s.expiry_prices);
  }
  const books = spokes.map((sp) => at(reports, sp).positions);
  const maintenance = accountMargin(p, books, px, false, s.now, s.expiry_prices);
  const equity = collateralValue(p, held, px, "haircut_bps") + losses;
  return {
    equity,
    netEquity: equity + backed,
    capacity: collateralValue(p, held, px, "ltv_haircut_bps") + losses,
    buffer,
    maintenance,
    requirement: maintenance + buffer,
    initialRequirement: accountMargin(p, books, px, true, s.now, s.expiry_prices) + buffer,
  };
}
