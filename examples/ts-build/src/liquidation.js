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

/** LIQ-1, RISK-NET-1: the account's net equity and requirement at the prices that value it
 * (null if one is missing), a pool asset without a price counting 0.
 * @param {Params} p @param {State} s @param {string} account */
export function healthView(p, s, account) {
  const spokes = usedSpokes(s, account);
  const px = prices(p, s, valuationAssets(p, s, account, spokes));
  if (px === null) return null;
  for (const x of poolAssets(s, spokes)) {
    const P = price(p, s, x);
    if (!px.has(x) && P !== null) px.set(x, P);
  }
  return hubView(p, s, account, spokes, px);
}

/** LIQ-1, LIQ-2, FLOW-CALL-1, FLOW-CALL-2, FLOW-CALL-5: checks in order; with a top-up
 * window, the first call only opens it and the liquidation waits for it to pass (unless
 * below the call floor); then a new epoch, the call closed, a margin call to every spoke.
 * @param {Params} p @param {State} s @param {string} account @returns {Outcome} */
export function liquidate(p, s, account) {
  const status = at(s.hub.status, account);
  if (status.liquidating) return rejected("ACCOUNT_LIQUIDATING");
  const view = healthView(p, s, account);
  if (view === null) return rejected("PRICE_UNAVAILABLE");
  if (view.netEquity >= view.requirement) return rejected("ACCOUNT_HEALTHY"); // RISK-10, RISK-NET-3
  const windowOn = p.top_up_window_s > 0n;
  const deep = view.netEquity * 10000n < view.requirement * p.call_floor_bps; // FLOW-CALL-2
  if (windowOn && status.called && s.now < status.called_at + p.top_up_window_s && !deep) {
    return rejected("IN_TOP_UP_WINDOW");
  }
  if (windowOn && !status.called && !deep) {
    status.called = true; // FLOW-CALL-1: opened, nothing sent
    status.called_at = s.now;
    return accepted();
  }
  status.called = false; // FLOW-CALL-5
  status.called_at = 0n;
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
