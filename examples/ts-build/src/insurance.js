// Insurance that respects the partitions (insurance.md: INS-1, INS-2; PAR-19).

import { min } from "./num.js";

/** @typedef {import("./params.js").Params} Params @typedef {import("./state.js").State} State */

/** INS-2: how much of a shortfall `short` of `spoke` the fund may cover: all of it under
 * `shared`, else at most the room left, max(limit - drawn, 0) (INS-1: no limit declared is 0).
 * @param {Params} p @param {State} s @param {string} spoke @param {bigint} short */
export function fundCover(p, s, spoke, short) {
  if (p.insurance_structure === "shared") return short;
  const room = (p.insurance_limits.get(spoke) ?? 0n) - (s.hub.drawn.get(spoke) ?? 0n);
  return min(short, room > 0n ? room : 0n);
}

/** INS-2: record that the fund paid `value` towards the spoke's partition (nothing is
 * recorded under `shared`, nor a zero draw).
 * @param {Params} p @param {State} s @param {string} spoke @param {bigint} value */
export function recordDraw(p, s, spoke, value) {
  if (value === 0n || p.insurance_structure === "shared") return;
  s.hub.drawn.set(spoke, (s.hub.drawn.get(spoke) ?? 0n) + value);
}
