// The step function (state.md: STEP-1..STEP-3, OUT-1..OUT-3).

import { inject } from "./adversary.js";
import { refill } from "./channels.js";
import { delistSpoke, listSpoke, removeSpoke } from "./listing.js";
import { forceSettle } from "./liveness.js";
import { pauseSpoke, setCap, unpauseSpoke } from "./governance.js";
import { deposit, grantCredit, payOut, withdraw } from "./hub.js";
import { liquidate } from "./liquidation.js";
import { applyParamChange, inForce, proposeParamChange } from "./notice.js";
import { partialLiquidate } from "./partial.js";
import { halt, isHalted, recordChange, reorg, resume } from "./finality.js";
import { deliver } from "./messaging.js";
import { advanceTime, publishPrice } from "./oracle.js";
import { releaseCredit, sendReport, trade } from "./spoke.js";
import { rejected } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 * @typedef {import("./state.js").Message} Message
 * @typedef {{ type: "Deposit" | "Withdraw", account: string, asset: string, amount: bigint }
 *   | { type: "GrantCredit" | "ReleaseCredit", account: string, spoke: string, amount: bigint }
 *   | { type: "Trade", spoke: string, account: string, market: string, qty: bigint, price: bigint }
 *   | { type: "SendReport", spoke: string, account: string }
 *   | { type: "PublishPrice", feed: string, price: bigint }
 *   | { type: "AdvanceTime", seconds: bigint }
 *   | { type: "Liquidate", account: string }
 *   | { type: "SetCap", spoke: string, cap: bigint }
 *   | { type: "PauseSpoke" | "UnpauseSpoke", spoke: string }
 *   | { type: "Deliver", message_id: bigint }
 *   | { type: "Inject", sender: string, receiver: string, payload: Message }
 *   | { type: "ForceSettle", account: string }
 *   | { type: "ListSpoke" | "DelistSpoke" | "RemoveSpoke", spoke: string }
 *   | { type: "PayOut", spoke: string, asset: string, amount: bigint }
 *   | { type: "ProposeParamChange", param: "haircut_bps" | "latency_s", target: string, value: bigint, effective_at: bigint }
 *   | { type: "ApplyParamChange", param: "haircut_bps" | "latency_s", target: string }
 *   | { type: "PartialLiquidate", spoke: string, account: string }
 *   | { type: "Halt" | "Resume", spoke: string }
 *   | { type: "Reorg", spoke: string, depth: bigint }} Action
 */

/** The chapters this build implements (adapter protocol handshake). */
export const CHAPTERS = [
  "hub", "spokes", "risk", "oracle", "liquidation", "governance", "messaging", "adversary",
  "liveness", "listing", "channels", "notice", "partial", "finality",
];

/** FIN-1, FIN-6: the actions a spoke's chain executes: refused on a halted chain before any
 * other check of theirs, and each accepted one a change of the spoke's segment. */
const ON_CHAIN = new Set(["Trade", "ReleaseCredit", "SendReport", "PartialLiquidate"]);

/**
 * STEP-2: the first undeclared identifier, in the order account, spoke, asset, market,
 * feed (Deliver, Inject and AdvanceTime have none).
 * @param {Params} p @param {Action} a @returns {string | null}
 */
function unknownId(p, a) {
  if ("account" in a && !p.account.has(a.account)) return "UNKNOWN_ACCOUNT";
  if ("spoke" in a && !p.spoke.has(a.spoke)) return "UNKNOWN_SPOKE";
  if ("asset" in a && !p.asset.has(a.asset)) return "UNKNOWN_ASSET";
  if ("market" in a && !p.market.has(a.market)) return "UNKNOWN_MARKET";
  if ("feed" in a && !p.feed.has(a.feed)) return "UNKNOWN_FEED";
  // PAR-26: a parameter change's target is an asset or a spoke, by the parameter
  if ("param" in a && a.param === "haircut_bps" && !p.asset.has(a.target)) return "UNKNOWN_ASSET";
  if ("param" in a && a.param === "latency_s" && !p.spoke.has(a.target)) return "UNKNOWN_SPOKE";
  return null;
}

/** The rule of each action type (ACT-1..ACT-19), applied to a state it may mutate.
 * @param {Params} p @param {State} s @param {Action} a @returns {Outcome} */
function apply(p, s, a) {
  switch (a.type) {
    case "Deposit":
      return deposit(p, s, a.account, a.asset, a.amount);
    case "Withdraw":
      return withdraw(p, s, a.account, a.asset, a.amount);
    case "GrantCredit":
      return grantCredit(p, s, a.account, a.spoke, a.amount);
    case "ReleaseCredit":
      return releaseCredit(p, s, a.spoke, a.account, a.amount);
    case "Trade":
      return trade(p, s, a.spoke, a.account, a.market, a.qty, a.price);
    case "SendReport":
      return sendReport(s, a.spoke, a.account);
    case "PublishPrice":
      return publishPrice(p, s, a.feed, a.price);
    case "AdvanceTime":
      refill(p, s, a.seconds); // RATE-4
      return advanceTime(p, s, a.seconds);
    case "Liquidate":
      return liquidate(p, s, a.account);
    case "SetCap":
      return setCap(s, a.spoke, a.cap);
    case "PauseSpoke":
      return pauseSpoke(s, a.spoke);
    case "UnpauseSpoke":
      return unpauseSpoke(s, a.spoke);
    case "PayOut":
      return payOut(s, a.spoke, a.asset, a.amount);
    case "Deliver":
      return deliver(p, s, a.message_id);
    case "Inject":
      return inject(p, s, a.sender, a.receiver, a.payload);
    case "ForceSettle":
      return forceSettle(p, s, a.account);
    case "ListSpoke":
      return listSpoke(s, a.spoke);
    case "DelistSpoke":
      return delistSpoke(s, a.spoke);
    case "RemoveSpoke":
      return removeSpoke(s, a.spoke);
    case "ProposeParamChange":
      return proposeParamChange(p, s, a.param, a.target, a.value, a.effective_at);
    case "ApplyParamChange":
      return applyParamChange(p, s, a.param, a.target);
    case "PartialLiquidate":
      return partialLiquidate(p, s, a.spoke, a.account);
    case "Halt":
      return halt(s, a.spoke);
    case "Resume":
      return resume(s, a.spoke);
    case "Reorg":
      return reorg(p, s, a.spoke, a.depth);
  }
}

/**
 * STEP-1: identifiers first, then the action's rule on a copy of the state. A rejected
 * outcome keeps the state before (OUT-1, INV-ATOMIC-1, MSG-11); STEP-3 and OUT-3 hold
 * because every rule lists the ids it sent and only accepted rules send.
 * @param {Params} p @param {State} s @param {Action} a @returns {{ state: State, outcome: Outcome }}
 */
export function step(p, s, a) {
  const unknown = unknownId(p, a);
  if (unknown !== null) return { state: s, outcome: rejected(unknown) };
  const chained = ON_CHAIN.has(a.type) && "spoke" in a ? a.spoke : null;
  if (chained !== null && isHalted(s, chained)) return { state: s, outcome: rejected("SPOKE_HALTED") }; // FIN-6
  const next = structuredClone(s);
  const outcome = apply(inForce(p, s), next, a); // GOV-NOTICE-1: every rule reads the parameters in force
  if (chained !== null && outcome.status === "accepted") recordChange(p, s, next, chained); // FIN-1
  return outcome.status === "rejected" ? { state: s, outcome } : { state: next, outcome };
}
