// Finality, halts and reorgs (finality.md: FIN-1..FIN-8, FIN-10, PAR-27).
//
// Per spoke the state keeps only what a rollback needs: its accounts at the last
// checkpoint and the ids of the messages it sent since (its segment). A chain that is
// running and has no segment has no entry in `s.chains`.

import { HUB, accepted, at, rejected } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 * @typedef {import("./state.js").Envelope} Envelope
 * @typedef {import("./state.js").Chain} Chain
 */

/** @type {Chain} */
const IDLE = { halted: false, segment: null };

/** FIN-1, FIN-6: the spoke's chain (running, no segment, when it has no entry).
 * @param {State} s @param {string} spoke @returns {Chain} */
const chainOf = (s, spoke) => s.chains.get(spoke) ?? IDLE;

/** The spoke's chain replaced; an idle chain leaves no entry (FIN-10: absent spokes).
 * @param {State} s @param {string} spoke @param {Chain} chain */
function setChain(s, spoke, chain) {
  if (!chain.halted && chain.segment === null) s.chains.delete(spoke);
  else s.chains.set(spoke, chain);
}

/** FIN-6: the spoke's chain is halted. @param {State} s @param {string} spoke */
export const isHalted = (s, spoke) => chainOf(s, spoke).halted;

/** FIN-2: the spoke has a segment whose latest change is younger than its finality.
 * @param {Params} p @param {State} s @param {string} spoke */
export function unfinalized(p, s, spoke) {
  const seg = chainOf(s, spoke).segment;
  return seg !== null && s.now < seg.changed + at(p.spoke, spoke).finality_s;
}

/** FIN-3: a message of its sending spoke's segment, which is not final yet.
 * @param {Params} p @param {State} s @param {Envelope} env */
export function notFinal(p, s, env) {
  if (env.sender === HUB) return false;
  const seg = chainOf(s, env.sender).segment;
  return seg !== null && seg.sent.has(env.id) && unfinalized(p, s, env.sender);
}

/**
 * FIN-1: an accepted change on a spoke with a finality delay joins its segment (a new one,
 * checkpointed at `before`, if it has none or it is final), with the messages the change
 * sent, stamped now.
 * @param {Params} p @param {State} before @param {State} after @param {string} spoke
 */
export function recordChange(p, before, after, spoke) {
  if (at(p.spoke, spoke).finality_s === 0n) return;
  const seg = chainOf(before, spoke).segment;
  const fresh = seg === null || !unfinalized(p, before, spoke);
  const checkpoint = fresh ? structuredClone(at(before.spokes, spoke)) : seg.checkpoint;
  const sent = new Set(fresh ? [] : seg.sent);
  for (let id = before.network.next_id; id < after.network.next_id; id++) sent.add(id);
  setChain(after, spoke, { halted: chainOf(after, spoke).halted, segment: { checkpoint, changed: after.now, sent } });
}

/** FIN-4: a hub message executed on the spoke closes its (final) segment.
 * @param {State} s @param {string} spoke */
export function closeSegment(s, spoke) {
  setChain(s, spoke, { halted: chainOf(s, spoke).halted, segment: null });
}

/** FIN-6: the adversary halts the spoke's chain. @param {State} s @param {string} spoke @returns {Outcome} */
export function halt(s, spoke) {
  if (isHalted(s, spoke)) return rejected("SPOKE_HALTED");
  setChain(s, spoke, { ...chainOf(s, spoke), halted: true });
  return accepted();
}

/** FIN-6: the halted chain produces blocks again. @param {State} s @param {string} spoke @returns {Outcome} */
export function resume(s, spoke) {
  if (!isHalted(s, spoke)) return rejected("NOT_HALTED");
  setChain(s, spoke, { ...chainOf(s, spoke), halted: false });
  return accepted();
}

/**
 * FIN-5, FIN-8: a reorg `depth` seconds deep. If the segment is not final and its latest
 * change is within the depth, the spoke returns to its checkpoint, the segment's messages
 * leave flight and the segment closes; beyond the finality bound the spoke is
 * compromised. Nothing at the hub changes.
 * @param {Params} p @param {State} s @param {string} spoke @param {bigint} depth @returns {Outcome}
 */
export function reorg(p, s, spoke, depth) {
  const seg = chainOf(s, spoke).segment;
  if (seg !== null && unfinalized(p, s, spoke) && seg.changed > s.now - depth) {
    s.spokes.set(spoke, structuredClone(seg.checkpoint));
    for (const id of seg.sent) s.network.in_flight.delete(id);
    closeSegment(s, spoke);
  }
  if (depth > at(p.spoke, spoke).finality_s) s.ghost.compromised.add(spoke);
  return accepted();
}
