// Risk-parameter changes with notice (governance.md: GOV-NOTICE-1..3, PAR-25, PAR-26).
//
// Governance announces a change of an asset's `haircut_bps` or a spoke's `latency_s`
// (ProposeParamChange) and anyone makes it take effect once due (ApplyParamChange). The
// parameters in force are the declared ones with every applied change laid over them;
// the risk engine reads them and nothing else (GOV-NOTICE-1), so `step` hands every rule
// the parameters in force (`inForce`).

import { accepted, rejected } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 * @typedef {"haircut_bps" | "latency_s"} RiskParam  PAR-26
 */

/**
 * PAR-26: the value in force of a risk parameter of an asset or a spoke.
 * @param {Params} p @param {RiskParam} param @param {string} target @returns {bigint}
 */
function current(p, param, target) {
  if (param === "haircut_bps") {
    const a = p.asset.get(target);
    if (a === undefined) throw new Error(`internal: unknown asset ${target}`);
    return a.haircut_bps;
  }
  const s = p.spoke.get(target);
  if (s === undefined) throw new Error(`internal: unknown spoke ${target}`);
  return s.latency_s;
}

/**
 * GOV-NOTICE-1, GOV-NOTICE-3: the parameters in force: the declared ones with the values
 * changes have put in force (`s.in_force`: haircuts, the LTV haircuts they raised, and
 * latencies, by asset or spoke). The declared set itself when nothing has changed.
 * @param {Params} p @param {State} s @returns {Params}
 */
export function inForce(p, s) {
  const f = s.in_force;
  if (f.haircut.size === 0 && f.latency.size === 0) return p;
  const assets = p.assets.map((a) =>
    f.haircut.has(a.id) ? { ...a, haircut_bps: f.haircut.get(a.id) ?? a.haircut_bps, ltv_haircut_bps: f.ltv.get(a.id) ?? a.ltv_haircut_bps } : a,
  );
  const spokes = p.spokes.map((sp) => (f.latency.has(sp.id) ? { ...sp, latency_s: f.latency.get(sp.id) ?? sp.latency_s } : sp));
  return {
    ...p,
    assets,
    spokes,
    asset: new Map(assets.map((a) => [a.id, a])),
    spoke: new Map(spokes.map((sp) => [sp.id, sp])),
  };
}

/** @template V @param {Map<string, Map<string, V>>} m @param {string} param @returns {Map<string, V>} */
function row(m, param) {
  let r = m.get(param);
  if (r === undefined) {
    r = new Map();
    m.set(param, r);
  }
  return r;
}

/**
 * GOV-NOTICE-2: announce a change and when it takes effect. A tightening (GOV-NOTICE-1: a
 * higher value than the one in force) is refused NOTICE_TOO_SHORT unless it takes effect
 * at least `notice_s` from now; a loosening may take effect at any time. A new
 * announcement for the same parameter replaces the last.
 * @param {Params} p @param {State} s @param {RiskParam} param @param {string} target
 * @param {bigint} value @param {bigint} effective_at @returns {Outcome}
 */
export function proposeParamChange(p, s, param, target, value, effective_at) {
  if (value > current(p, param, target) && effective_at < s.now + p.notice_s) return rejected("NOTICE_TOO_SHORT");
  row(s.hub.scheduled, param).set(target, { value, effective_at, announced_at: s.now });
  return accepted();
}

/**
 * GOV-NOTICE-3: the announced change takes effect at or after its time: NO_CHANGE_SCHEDULED
 * if none is announced, CHANGE_NOT_DUE before its time. The value goes in force and the
 * announcement is removed; an asset's LTV haircut, if declared, is raised to at least the
 * new haircut and never lowered (PAR-1).
 * @param {Params} p @param {State} s @param {RiskParam} param @param {string} target @returns {Outcome}
 */
export function applyParamChange(p, s, param, target) {
  const change = s.hub.scheduled.get(param)?.get(target);
  if (change === undefined) return rejected("NO_CHANGE_SCHEDULED");
  if (s.now < change.effective_at) return rejected("CHANGE_NOT_DUE");
  row(s.hub.applied, param).set(target, change.value);
  const sched = row(s.hub.scheduled, param);
  sched.delete(target);
  if (sched.size === 0) s.hub.scheduled.delete(param);
  if (param === "haircut_bps") {
    const ltv = p.asset.get(target)?.ltv_haircut_bps ?? null;
    s.in_force.haircut.set(target, change.value);
    if (ltv !== null) s.in_force.ltv.set(target, ltv > change.value ? ltv : change.value);
  } else {
    s.in_force.latency.set(target, change.value);
  }
  return accepted();
}
