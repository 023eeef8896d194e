// Governance (governance.md: GOV-1..GOV-3). No price is needed.

import { allocation } from "./hub.js";
import { accepted, rejected } from "./state.js";

/** @typedef {import("./state.js").State} State @typedef {import("./state.js").Outcome} Outcome */

/** GOV-1: a cap below the spoke's allocation (CAP-1) is refused.
 * @param {State} s @param {string} spoke @param {bigint} cap @returns {Outcome} */
export function setCap(s, spoke, cap) {
  if (cap < allocation(s, spoke)) return rejected("CAP_BELOW_ALLOCATION");
  s.hub.caps.set(spoke, cap);
  return accepted();
}

/** GOV-2: turn the circuit breaker on.
 * @param {State} s @param {string} spoke @returns {Outcome} */
export function pauseSpoke(s, spoke) {
  if (s.hub.paused.has(spoke)) return rejected("ALREADY_PAUSED");
  s.hub.paused.add(spoke);
  return accepted();
}

/** GOV-3: turn it off.
 * @param {State} s @param {string} spoke @returns {Outcome} */
export function unpauseSpoke(s, spoke) {
  if (!s.hub.paused.has(spoke)) return rejected("NOT_PAUSED");
  s.hub.paused.delete(spoke);
  return accepted();
}
