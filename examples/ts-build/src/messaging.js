// Delivery (messaging.md: MSG-6, MSG-10..MSG-13; channels.md: CHAN-2, CHAN-3; LIVE-5;
// finality.md: FIN-3, FIN-4, FIN-6).

import { outOfOrder, requeue } from "./channels.js";
import { receiveClaim, receiveRelease, receiveReport } from "./hub.js";
import { closeSegment, isHalted, notFinal, unfinalized } from "./finality.js";
import { isSevered } from "./liveness.js";
import { receiveAnswer } from "./liquidation.js";
import { receiveGrant, receiveMarginCall } from "./spoke.js";
import { HUB, ignored, rejected } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 * @typedef {import("./state.js").Message} Message
 */

export const TO_SPOKE = new Set(["CreditGrant", "MarginCall"]);

/**
 * MSG-6: whether the channel authenticates `sender` for this payload and receiver:
 * hub-to-spoke kinds only from hub to a declared spoke, the rest only from a declared
 * spoke to hub.
 * @param {Params} p @param {string} sender @param {string} receiver @param {Message} payload
 */
export function authentic(p, sender, receiver, payload) {
  if (TO_SPOKE.has(payload.type)) return sender === HUB && p.spoke.has(receiver);
  return p.spoke.has(sender) && receiver === HUB;
}

/**
 * MSG-13 then the receiver's rule: a spoke for grants and calls, the hub for the rest,
 * as coming from `sender`. Mutates `s`; the caller restores it on a rejection.
 * @param {Params} p @param {State} s @param {string} sender @param {string} receiver @param {Message} m @returns {Outcome}
 */
export function receive(p, s, sender, receiver, m) {
  if (!p.account.has(m.account)) return ignored("UNKNOWN_ACCOUNT");
  if (!TO_SPOKE.has(m.type) && isSevered(s, m.account, sender)) return ignored("SPOKE_SEVERED"); // LIVE-5
  if (!TO_SPOKE.has(m.type)) return rule(p, s, sender, receiver, m);
  if (isHalted(s, receiver)) return rejected("SPOKE_HALTED"); // FIN-6
  if (unfinalized(p, s, receiver)) return rejected("NOT_FINAL"); // FIN-4
  const out = rule(p, s, sender, receiver, m);
  if (out.status !== "rejected") closeSegment(s, receiver); // FIN-4: the receipt and its answer are final at once
  return out;
}

/**
 * The receiver's rule for a message.
 * @param {Params} p @param {State} s @param {string} sender @param {string} receiver @param {Message} m @returns {Outcome}
 */
function rule(p, s, sender, receiver, m) {
  switch (m.type) {
    case "CreditGrant":
      return receiveGrant(s, receiver, m.account, m.amount, m.epoch);
    case "MarginCall":
      return receiveMarginCall(p, s, receiver, m.account, m.epoch);
    case "CreditRelease":
      return receiveRelease(s, sender, m.account, m.amount);
    case "LossClaim":
      return receiveClaim(p, s, sender, m.account, m.amount);
    case "ExposureReport":
      return receiveReport(p, s, sender, m);
    case "LiquidationReport":
      return receiveAnswer(p, s, sender, m);
  }
}

/**
 * MSG-10..MSG-12: a replay is ALREADY_DELIVERED, an id not in flight UNKNOWN_MESSAGE,
 * on ordered channels one that is not its channel's head OUT_OF_ORDER (CHAN-2);
 * otherwise the message is consumed and received. On an ordered channel a refused head
 * is requeued (CHAN-3: the receiver's rules refuse before they change anything). A rejection is returned as is (the
 * step function discards every change); an ignored message is consumed and nothing else.
 * @param {Params} p @param {State} s @param {bigint} id @returns {Outcome}
 */
export function deliver(p, s, id) {
  if (s.network.delivered.has(id)) return rejected("ALREADY_DELIVERED");
  const env = s.network.in_flight.get(id);
  if (env === undefined) return rejected("UNKNOWN_MESSAGE");
  if (notFinal(p, s, env)) return rejected("NOT_FINAL"); // FIN-3
  if (outOfOrder(p, s, env)) return rejected("OUT_OF_ORDER"); // CHAN-2
  s.network.in_flight.delete(id);
  s.network.delivered.add(id);
  const out = receive(p, s, env.sender, env.receiver, env.payload);
  return out.status === "rejected" && p.channel_ordering === "ordered" ? requeue(s, env, out) : out; // CHAN-3
}
