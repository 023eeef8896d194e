// Ordered channels and rate limits (channels.md: CHAN-1..CHAN-4, RATE-1..RATE-5).

import { min } from "./num.js";
import { send } from "./network.js";
import { at, outcome } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Envelope} Envelope
 * @typedef {import("./state.js").Outcome} Outcome
 */

/** CHAN-1, CHAN-2: on ordered channels, whether an older message of the same (sender,
 * receiver) channel is still in flight, so that `env` is not its channel's head.
 * @param {Params} p @param {State} s @param {Envelope} env */
export function outOfOrder(p, s, env) {
  if (p.channel_ordering !== "ordered") return false;
  for (const other of s.network.in_flight.values()) {
    if (other.sender === env.sender && other.receiver === env.receiver && other.id < env.id) return true;
  }
  return false;
}

/** CHAN-3: the receiver refused the head of an ordered channel. The head is consumed
 * already (the caller recorded it delivered); the same payload goes to the back of its
 * channel under next_id, and the delivery is ignored with the receiver's error.
 * @param {State} s @param {Envelope} env @param {Outcome} refused @returns {Outcome} */
export function requeue(s, env, refused) {
  const id = send(s, env.sender, env.receiver, env.payload);
  return outcome("ignored", refused.error, [id]);
}

/** RATE-1, RATE-3: whether a loss exceeds what the spoke's bucket holds (a spoke without a
 * rate limit has no bucket, and a loss of zero always passes).
 * @param {State} s @param {string} spoke @param {bigint} loss */
export function rateLimited(s, spoke, loss) {
  const level = s.hub.buckets.get(spoke);
  return level !== undefined && loss > level;
}

/** RATE-3: charge an accepted loss to the spoke's bucket (checked by `rateLimited` first).
 * @param {State} s @param {string} spoke @param {bigint} loss */
export function charge(s, spoke, loss) {
  const level = s.hub.buckets.get(spoke);
  if (level !== undefined) s.hub.buckets.set(spoke, level - loss);
}

/** RATE-4: AdvanceTime refills each bucket by refill_per_s x seconds, up to its capacity.
 * @param {Params} p @param {State} s @param {bigint} seconds */
export function refill(p, s, seconds) {
  for (const [spoke, level] of s.hub.buckets) {
    const limit = at(p.spoke, spoke).rate_limit;
    if (limit !== null) s.hub.buckets.set(spoke, min(limit.capacity, level + limit.refill_per_s * seconds));
  }
}
