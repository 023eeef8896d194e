// Partial liquidation on a spoke (flows.md: FLOW-PART-1..FLOW-PART-7, PAR-24): a keeper
// has the spoke close the least of an account's perpetuals that restores its local health.

import { abs, bpsUp, BPS, MAX_AMOUNT } from "./num.js";
import { prices } from "./oracle.js";
import { bookMargin, underlyings, unrealizedPnl } from "./risk.js";
import { claimLoss, fill, report } from "./spoke.js";
import { at, outcome, rejected } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 * @typedef {import("./state.js").SpokeAccount} SpokeAccount
 * @typedef {import("./state.js").Book} Book
 * @typedef {{ book: Book, realized: bigint, notional: bigint }} Close  FLOW-PART-2: a plan
 */

/** FLOW-PART-1, RISK-5: the maintenance margin of a spoke book under the declared method.
 * @param {Params} p @param {State} s @param {Book} book @param {Map<string, bigint>} px */
const maintenance = (p, s, book, px) => bookMargin(p, book, px, false, s.now, s.expiry_prices);

/** FLOW-PART-3: local equity (SPK-2) once the plan is carried out and its penalty paid.
 * @param {Params} p @param {State} s @param {SpokeAccount} a @param {Close} plan @param {Map<string, bigint>} px */
function equityAfter(p, s, a, plan, px) {
  const penalty = bpsUp(plan.notional, p.partial_liquidation.penalty_bps); // FLOW-PART-4
  return a.line + a.balance + plan.realized - penalty + unrealizedPnl(p, plan.book, px, s.now, s.expiry_prices);
}

/** FLOW-PART-3: after the plan, local equity is at least maintenance plus `target_bps` of it
 * (multiplied out, nothing rounded).
 * @param {Params} p @param {State} s @param {SpokeAccount} a @param {Close} plan @param {Map<string, bigint>} px */
function restores(p, s, a, plan, px) {
  return equityAfter(p, s, a, plan, px) * BPS >= maintenance(p, s, plan.book, px) * (BPS + p.partial_liquidation.target_bps);
}

/** FLOW-PART-2: `lots` more lots of the market closed at its mark (SPK-TRADE-4).
 * @param {Params} p @param {Close} plan @param {string} market @param {bigint} lots @param {Map<string, bigint>} px @returns {Close} */
function closeLots(p, plan, market, lots, px) {
  if (lots === 0n) return plan;
  const old = at(plan.book, market);
  const price = at(px, at(p.market, market).underlying);
  const { pos, realized } = fill(old, old.qty > 0n ? -lots : lots, price);
  const book = new Map(plan.book);
  if (pos.qty === 0n) book.delete(market);
  else book.set(market, pos);
  return { book, realized: plan.realized + realized, notional: plan.notional + lots * price };
}

/** FLOW-PART-5: the fewest lots of `market` that restore, by bisection between none (does
 * not) and all (does).
 * @param {Params} p @param {State} s @param {SpokeAccount} a @param {Close} plan @param {string} market @param {Map<string, bigint>} px */
function leastLots(p, s, a, plan, market, px) {
  let lo = 0n;
  let hi = abs(at(plan.book, market).qty);
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (restores(p, s, a, closeLots(p, plan, market, mid, px), px)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** FLOW-PART-2, FLOW-PART-5, FLOW-PART-7: whole perpetual positions in the declared order of
 * the markets until closing the next whole one would restore, then the fewest lots of it;
 * null if closing every perpetual does not restore.
 * @param {Params} p @param {State} s @param {SpokeAccount} a @param {Map<string, bigint>} px @returns {Close | null} */
function planClose(p, s, a, px) {
  /** @type {Close} */
  let plan = { book: a.positions, realized: 0n, notional: 0n };
  for (const m of p.markets) {
    if (m.kind !== "perp" || !plan.book.has(m.id)) continue;
    const whole = closeLots(p, plan, m.id, abs(at(plan.book, m.id).qty), px);
    if (restores(p, s, a, whole, px)) return closeLots(p, plan, m.id, leastLots(p, s, a, plan, m.id, px), px);
    plan = whole;
  }
  return null;
}

/**
 * FLOW-PART-1: checks in order (prices, locally unhealthy, restorable, balance within
 * BND-1); then the plan is carried out, the penalty charged, the loss claimed and a report
 * sent, as after a trade (FLOW-PART-4).
 * @param {Params} p @param {State} s @param {string} spoke @param {string} account @returns {Outcome}
 */
export function partialLiquidate(p, s, spoke, account) {
  const a = at(at(s.spokes, spoke), account);
  const px = prices(p, s, underlyings(p, a.positions));
  if (px === null) return rejected("PRICE_UNAVAILABLE");
  const equity = a.line + a.balance + unrealizedPnl(p, a.positions, px, s.now, s.expiry_prices);
  if (equity >= maintenance(p, s, a.positions, px)) return rejected("ACCOUNT_HEALTHY");
  const plan = planClose(p, s, a, px);
  if (plan === null) return rejected("NOT_RESTORABLE");
  const balance = a.balance + plan.realized - bpsUp(plan.notional, p.partial_liquidation.penalty_bps);
  if (abs(balance) > MAX_AMOUNT) return rejected("INVALID_AMOUNT"); // BND-1, as for a trade
  a.positions = plan.book;
  a.balance = balance;
  const emitted = claimLoss(s, spoke, account);
  emitted.push(report(s, spoke, account));
  return outcome("accepted", null, emitted);
}
