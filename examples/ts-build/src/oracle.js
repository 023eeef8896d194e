// The risk oracle and time (oracle.md: TIME-1, ORA-1..ORA-7).

import { accepted } from "./state.js";

/** @typedef {import("./params.js").Params} Params @typedef {import("./state.js").State} State */

/** TIME-1, PRC-14: AdvanceTime adds `seconds` to now, then fixes the expiry prices due.
 * @param {Params} p @param {State} s @param {bigint} seconds */
export function advanceTime(p, s, seconds) {
  s.now += seconds;
  fixExpiryPrices(p, s);
  return accepted();
}

/** ORA-1, PRC-14: PublishPrice replaces the feed's quote with (price, now), then fixes the
 * expiry prices due; always accepted.
 * @param {Params} p @param {State} s @param {string} feed @param {bigint} price */
export function publishPrice(p, s, feed, price) {
  s.quotes.set(feed, { price, time: s.now });
  fixExpiryPrices(p, s);
  return accepted();
}

/** PRC-14: every option market at or past its expiry without an expiry price gets its
 * underlying's aggregate price, if available; a fixed one never changes.
 * @param {Params} p @param {State} s */
function fixExpiryPrices(p, s) {
  for (const m of p.markets) {
    if (m.expiry === null || s.expiry_prices.has(m.id) || s.now < m.expiry) continue;
    const P = price(p, s, m.underlying);
    if (P !== null) s.expiry_prices.set(m.id, P);
  }
}

/** ORA-3: the element at index (n - 1) // 2 of the prices sorted ascending.
 * @param {bigint[]} prices */
function lowerMedian(prices) {
  const sorted = [...prices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * ORA-5, ORA-6: the aggregate price of an asset, or null when unavailable.
 * @param {Params} p @param {State} s @param {string} asset @returns {bigint | null}
 */
export function price(p, s, asset) {
  const fixed = p.asset.get(asset)?.fixed_price;
  if (fixed !== null && fixed !== undefined) return fixed; // ORA-6
  /** @type {bigint[]} */
  const fresh = [];
  for (const feed of p.feeds) {
    const q = s.quotes.get(feed.id);
    if (feed.asset === asset && q !== undefined && s.now - q.time <= p.max_age_s) fresh.push(q.price); // ORA-2
  }
  if (BigInt(fresh.length) < p.quorum) return null;
  const m = lowerMedian(fresh);
  const kept = fresh.filter((x) => (x > m ? x - m : m - x) * 10_000n <= p.outlier_bps * m); // ORA-4
  if (BigInt(kept.length) < p.quorum) return null;
  return lowerMedian(kept);
}

/**
 * ORA-7: the prices of a set of assets, all or nothing (null if any is unavailable).
 * @param {Params} p @param {State} s @param {Iterable<string>} assets @returns {Map<string, bigint> | null}
 */
export function prices(p, s, assets) {
  /** @type {Map<string, bigint>} */
  const out = new Map();
  for (const a of assets) {
    const v = price(p, s, a);
    if (v === null) return null;
    out.set(a, v);
  }
  return out;
}
