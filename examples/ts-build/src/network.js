// The network bag (messaging.md: MSG-8, MSG-9).

/** @typedef {import("./state.js").State} State @typedef {import("./state.js").Message} Message */

/**
 * MSG-9: sending puts an envelope in flight under next_id and increments next_id.
 * The caller has already made its own state change (debit before send).
 * @param {State} s @param {string} sender @param {string} receiver @param {Message} payload @returns {bigint}
 */
export function send(s, sender, receiver, payload) {
  const id = s.network.next_id;
  s.network.in_flight.set(id, { id, sender, receiver, payload });
  s.network.next_id = id + 1n;
  return id;
}
