// Listing, draining and removing a spoke (governance.md: LIST-1..LIST-4, HUB-GRANT-5).
// No price is needed.

import { allocation } from "./hub.js";
import { accepted, at, rejected } from "./state.js";

/** @typedef {import("./state.js").State} State @typedef {import("./state.js").Outcome} Outcome */

/** HUB-GRANT-5, LIST-1: only a listed spoke is granted credit.
 * @param {State} s @param {string} spoke */
export function isListed(s, spoke) {
  return at(s.hub.listing, spoke) === "listed";
}

/** LIST-2: list an unlisted spoke or call off a drain; ALREADY_LISTED, then SPOKE_REMOVED.
 * @param {State} s @param {string} spoke @returns {Outcome} */
export function listSpoke(s, spoke) {
  const listing = at(s.hub.listing, spoke);
  if (listing === "listed") return rejected("ALREADY_LISTED");
  if (listing === "removed") return rejected("SPOKE_REMOVED");
  s.hub.listing.set(spoke, "listed");
  return accepted();
}

/** LIST-3: a listed spoke starts its drain.
 * @param {State} s @param {string} spoke @returns {Outcome} */
export function delistSpoke(s, spoke) {
  if (!isListed(s, spoke)) return rejected("SPOKE_NOT_LISTED");
  s.hub.listing.set(spoke, "delisted");
  return accepted();
}

/** LIST-4: a delisted spoke that holds nothing (CAP-1) and answers no liquidation is removed.
 * @param {State} s @param {string} spoke @returns {Outcome} */
export function removeSpoke(s, spoke) {
  if (at(s.hub.listing, spoke) !== "delisted") return rejected("NOT_DELISTED");
  const waited = [...s.hub.status.values()].some((st) => st.pending.has(spoke));
  if (allocation(s, spoke) > 0n || waited) return rejected("SPOKE_NOT_DRAINED");
  s.hub.listing.set(spoke, "removed");
  return accepted();
}
