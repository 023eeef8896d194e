// Liquidation (liquidation.md: LIQ-1..LIQ-7).

import { bpsUp, min } from "./num.js";
import { send } from "./network.js";
import { price, prices } from "./oracle.js";
import { hubView, poolAssets, usedSpokes, valuationAssets } from "./risk.js";
import { charge, rateLimited } from "./channels.js";
import { payLoss, seize, seizurePrices } from "./hub.js";
import { isSevered } from "./liveness.js";
import { accepted, add, at, HUB, ignored, outcome, rejected } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 * @typedef {import("./state.js").LiquidationReport} LiquidationReport
 */

/** LIQ-1, LIQ-2: checks in order, then a new epoch and a margin call to every spoke.
 * @param {Params} p @param {State} s @param {string} account @returns {Outcome} */
export function liquidate(p, s, account) {
  const status = at(s.hub.status, account);
  if (status.liquidating) return rejected("ACCOUNT_LIQUIDATING");
  const spokes = usedSpokes(s, account);
  const px = prices(p, s, valuationAssets(p, s, account, spokes));
  if (px === null) return rejected("PRICE_UNAVAILABLE");
  for (const x of poolAssets(s, spokes)) {
    const P = price(p, s, x); // RISK-NET-1: a pool asset without a price counts 0
    if (!px.has(x) && P !== null) px.set(x, P);
  }
  const view = hubView(p, s, account, spokes, px);
  if (view.netEquity >= view.requirement) return rejected("ACCOUNT_HEALTHY"); // RISK-10, RISK-NET-3
  status.liquidating = true;
  status.epoch += 1n;
  status.pending = new Set(p.spokes.map((sp) => sp.id).filter((sp) => !isSevered(s, account, sp))); // LIVE-6
  status.requirement_at_call = view.requirement;
  status.deadline = s.now + p.liquidation_deadline_s; // LIVE-1
  const emitted = p.spokes.map((sp) => send(s, HUB, sp.id, { type: "MarginCall", account, epoch: status.epoch }));
  return outcome("accepted", null, emitted);
}

/** LIQ-3..LIQ-5, and LIQ-6..LIQ-7 when the last pending spoke has answered.
 * @param {Params} p @param {State} s @param {string} spoke @param {LiquidationReport} r @returns {Outcome} */
export function receiveAnswer(p, s, spoke, r) {
  const status = at(s.hub.status, r.account);
  if (!status.liquidating) return ignored("NOT_LIQUIDATING");
  if (r.epoch !== status.epoch || !status.pending.has(spoke)) return ignored("STALE_EPOCH");
  const alloc = at(s.hub.alloc, r.account);
  const held = at(alloc, spoke);
  const loss = min(r.loss, held);
  const released = min(r.released, held - loss);
  if (loss > 0n && s.hub.paused.has(spoke)) return rejected("SPOKE_PAUSED");
  const px = seizurePrices(p, s, r.account);
  if (px === null) return rejected("PRICE_UNAVAILABLE");
  if (rateLimited(s, spoke, loss)) return rejected("RATE_LIMITED"); // RATE-3, after the cut
  charge(s, spoke, loss);
  add(alloc, spoke, -(released + loss)); // LIQ-4
  add(s.ghost.released, spoke, released);
  add(s.ghost.claimed, spoke, loss);
  if (loss > 0n) payLoss(p, s, spoke, r.account, loss, px);
  const reports = at(s.hub.reports, r.account);
  if (r.seq > at(reports, spoke).seq) reports.set(spoke, { seq: r.seq, balance: r.balance, positions: new Map(), time: s.now }); // LIQ-5, RISK-AGE-1
  status.pending.delete(spoke);
  if (status.pending.size === 0) settle(p, s, r.account);
  return accepted();
}

/** LIQ-6, LIQ-7: seize the penalty into the insurance fund (assets without a price
 * skipped, the unpaid part waived), then leave LIQUIDATING keeping the epoch (also after
 * a force-settle, LIVE-3).
 * @param {Params} p @param {State} s @param {string} account */
export function settle(p, s, account) {
  const status = at(s.hub.status, account);
  const penalty = bpsUp(status.requirement_at_call, p.penalty_bps);
  /** @type {Map<string, bigint>} */
  const px = new Map();
  for (const a of p.assets) {
    const v = price(p, s, a.id);
    if (v !== null) px.set(a.id, v);
  }
  const { taken } = seize(p, at(s.hub.collateral, account), penalty, px);
  for (const [x, t] of taken) add(s.hub.insurance, x, t);
  status.liquidating = false;
  status.pending = new Set();
  status.requirement_at_call = 0n;
  status.deadline = 0n;
}
