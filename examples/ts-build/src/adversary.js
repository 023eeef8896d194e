// The adversary's injections (adversary.md: ADV-1, ADV-2).

import { authentic, receive } from "./messaging.js";
import { HUB, rejected } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 * @typedef {import("./state.js").Message} Message
 */

/**
 * ADV-1: forged (sender hub, or not authenticated by MSG-6) is FORGED_SENDER.
 * ADV-2: otherwise the hub processes it as from that spoke; unless rejected, the sender
 * is marked compromised. An injection never enters the bag and emits nothing.
 * @param {Params} p @param {State} s @param {string} sender @param {string} receiver @param {Message} payload @returns {Outcome}
 */
export function inject(p, s, sender, receiver, payload) {
  if (sender === HUB || !authentic(p, sender, receiver, payload)) return rejected("FORGED_SENDER");
  const outcome = receive(p, s, sender, receiver, payload);
  if (outcome.status !== "rejected") s.ghost.compromised.add(sender);
  return outcome;
}
