// Liveness: bounded liquidation with silent spokes (liveness.md: LIVE-1..LIVE-6, LIVE-9).
// LIVE-1 (the deadline) is set by `liquidate`; LIVE-6 (pending without severed spokes) too.

import { charge, rateLimited } from "./channels.js";
import { payLoss, seizurePrices } from "./hub.js";
import { settle } from "./liquidation.js";
import { accepted, add, at, rejected } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 */

/** LIVE-5: whether the (account, spoke) pair was severed by a force-settle.
 * @param {State} s @param {string} account @param {string} spoke */
export function isSevered(s, account, spoke) {
  return at(s.hub.severed, account).has(spoke);
}

/** LIVE-2, LIVE-9: NOT_LIQUIDATING, DEADLINE_NOT_REACHED, PRICE_UNAVAILABLE (HUB-LOSS-5),
 * then RATE_LIMITED, in that order; otherwise LIVE-3: sever each silent spoke in declared
 * order and settle (LIQ-6, LIQ-7).
 * @param {Params} p @param {State} s @param {string} account @returns {Outcome} */
export function forceSettle(p, s, account) {
  const status = at(s.hub.status, account);
  if (!status.liquidating) return rejected("NOT_LIQUIDATING");
  if (s.now < status.deadline) return rejected("DEADLINE_NOT_REACHED");
  const px = seizurePrices(p, s, account);
  if (px === null) return rejected("PRICE_UNAVAILABLE");
  const alloc = at(s.hub.alloc, account);
  const silent = p.spokes.map((sp) => sp.id).filter((id) => status.pending.has(id));
  if (silent.some((spoke) => rateLimited(s, spoke, at(alloc, spoke)))) return rejected("RATE_LIMITED"); // LIVE-9
  for (const spoke of silent) {
    const L = at(alloc, spoke);
    alloc.set(spoke, 0n);
    add(s.ghost.claimed, spoke, L);
    charge(s, spoke, L); // LIVE-9, RATE-3
    payLoss(p, s, spoke, account, L, px); // HUB-LOSS-1..HUB-LOSS-4
    const reports = at(s.hub.reports, account);
    reports.set(spoke, { seq: at(reports, spoke).seq, balance: 0n, positions: new Map(), time: s.now });
    at(s.hub.severed, account).add(spoke); // LIVE-5
  }
  status.pending = new Set();
  settle(p, s, account);
  return accepted();
}
