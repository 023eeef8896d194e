// The observable state (state.md: OBS-1..OBS-4, OBS-6, OBS-7), as plain JSON with BigInt integers.
// Maps keep the declared order of their ids; sets are written sorted.

import { views } from "./state.js";

/** @typedef {import("./state.js").State} State @typedef {import("./state.js").Book} Book */

/** @param {Iterable<string>} ids */
const sorted = (ids) => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
/** @template V, W @param {Map<string, V>} m @param {(v: V) => W} f @returns {Record<string, W>} */
const obj = (m, f) => Object.fromEntries([...m].map(([k, v]) => [k, f(v)]));
/** @template V @param {V} v */
const same = (v) => v;

/**
 * OBS-1..OBS-4 of a state.
 * @param {State} s @returns {Record<string, unknown>}
 */
export function observe(s) {
  const h = s.hub;
  return {
    now: s.now,
    quotes: obj(s.quotes, (q) => ({ price: q.price, time: q.time })),
    hub: {
      collateral: obj(h.collateral, (row) => obj(row, same)),
      alloc: obj(h.alloc, (row) => obj(row, same)),
      status: obj(h.status, (st) => ({
        liquidating: st.liquidating,
        epoch: st.epoch,
        pending: sorted(st.pending),
        requirement_at_call: st.requirement_at_call,
        deadline: st.deadline,
        // OBS-7: the top-up call (FLOW-CALL-1), left out while none is open.
        ...(st.called || st.called_at !== 0n ? { called: st.called, called_at: st.called_at } : {}),
      })),
      reports: obj(h.reports, (row) => obj(row, (r) => ({ seq: r.seq, balance: r.balance, positions: views(r.positions), time: r.time }))),
      caps: obj(h.caps, same),
      paused: sorted(h.paused),
      insurance: obj(h.insurance, same),
      owed: obj(h.owed, (row) => obj(row, same)),
      socialized: obj(h.socialized, same),
      tokens: obj(h.tokens, same),
      // OBS-1: the one sparse map: only accounts that use at least one spoke.
      linked: obj(new Map([...h.linked].filter(([, used]) => used.size > 0)), sorted),
      // OBS-1, LIVE-5: sparse, only accounts with a severed spoke.
      severed: obj(new Map([...h.severed].filter(([, cut]) => cut.size > 0)), sorted),
      // LIST-1, INS-2, RATE-2: sparse, and left out while empty.
      ...(h.listing.size > 0 && [...h.listing.values()].some((l) => l !== "listed")
        ? { listing: obj(new Map([...h.listing].filter(([, l]) => l !== "listed")), same) }
        : {}),
      ...(h.drawn.size > 0 ? { drawn: obj(h.drawn, same) } : {}),
      ...(h.buckets.size > 0 ? { buckets: obj(h.buckets, same) } : {}),
    },
    spokes: obj(s.spokes, (row) =>
      obj(row, (a) => ({
        line: a.line,
        balance: a.balance,
        positions: views(a.positions),
        seq: a.seq,
        called_epoch: a.called_epoch,
        frozen: a.frozen,
      })),
    ),
    network: {
      in_flight: [...s.network.in_flight.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
      delivered: [...s.network.delivered].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      next_id: s.network.next_id,
    },
    ghost: {
      granted: obj(s.ghost.granted, same),
      released: obj(s.ghost.released, same),
      claimed: obj(s.ghost.claimed, same),
      paid: obj(s.ghost.paid, same),
      compromised: sorted(s.ghost.compromised),
    },
    // OBS-6: the fixed expiry prices by market id, left out while there is none.
    ...(s.expiry_prices.size > 0
      ? { expiry_prices: Object.fromEntries(sorted(s.expiry_prices.keys()).map((m) => [m, s.expiry_prices.get(m)])) }
      : {}),
  };
}
