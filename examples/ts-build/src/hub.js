// The collateral hub (hub.md): deposits, withdrawals, grants and caps, and what spokes
// send it (HUB-DEP-1, HUB-WD-1..3, HUB-GRANT-1..4, CAP-1, HUB-REL-1, HUB-CLAIM-1..3,
// HUB-REP-1..4, HUB-LOSS-1..5).

import { min, MAX_AMOUNT } from "./num.js";
import { send } from "./network.js";
import { charge, rateLimited } from "./channels.js";
import { fundCover, recordDraw } from "./insurance.js";
import { isListed } from "./listing.js";
import { isSevered } from "./liveness.js";
import { prices } from "./oracle.js";
import { hasStaleBook, hubView, usedSpokes, valuationAssets } from "./risk.js";
import { accepted, add, at, HUB, ignored, outcome, rejected } from "./state.js";
import { healthView } from "./liquidation.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 * @typedef {import("./state.js").ExposureReport} ExposureReport
 */

/** HUB-DEP-1, FLOW-CALL-3: add to collateral and tokens; allowed while liquidating; BND-1
 * bound; an open top-up call closes if the account is healthy after.
 * @param {Params} p @param {State} s @param {string} account @param {string} asset @param {bigint} amount @returns {Outcome} */
export function deposit(p, s, account, asset, amount) {
  if (at(s.hub.tokens, asset) + amount > MAX_AMOUNT) return rejected("INVALID_AMOUNT");
  add(at(s.hub.collateral, account), asset, amount);
  add(s.hub.tokens, asset, amount);
  const status = at(s.hub.status, account);
  if (status.called) {
    const view = healthView(p, s, account);
    if (view !== null && view.netEquity >= view.requirement) {
      status.called = false;
      status.called_at = 0n;
    }
  }
  return accepted();
}

/** FLOW-PAY-1..FLOW-PAY-3: pay what the hub owes a partition to its venue; not to a paused
 * spoke, never more than it is owed of the asset.
 * @param {State} s @param {string} spoke @param {string} asset @param {bigint} amount @returns {Outcome} */
export function payOut(s, spoke, asset, amount) {
  if (s.hub.paused.has(spoke)) return rejected("SPOKE_PAUSED");
  const owed = at(s.hub.owed, spoke);
  if (amount > at(owed, asset)) return rejected("EXCEEDS_OWED");
  add(owed, asset, -amount);
  add(s.hub.tokens, asset, -amount);
  return accepted();
}

/** CAP-1: a spoke's allocation, summed over accounts (credit in flight included).
 * @param {State} s @param {string} spoke */
export function allocation(s, spoke) {
  let total = 0n;
  for (const row of s.hub.alloc.values()) total += at(row, spoke);
  return total;
}

/** The account's total allocation over every spoke (HUB-GRANT-2).
 * @param {State} s @param {string} account */
function totalAlloc(s, account) {
  let total = 0n;
  for (const v of at(s.hub.alloc, account).values()) total += v;
  return total;
}

/** HUB-WD-1..HUB-WD-3 and RISK-IM-2, in that order; prices taken on the state before the withdrawal.
 * @param {Params} p @param {State} s @param {string} account @param {string} asset @param {bigint} amount @returns {Outcome} */
export function withdraw(p, s, account, asset, amount) {
  if (at(s.hub.status, account).liquidating) return rejected("ACCOUNT_LIQUIDATING");
  if (at(s.hub.status, account).called) return rejected("MARGIN_CALLED"); // FLOW-CALL-4
  const held = at(at(s.hub.collateral, account), asset);
  if (amount > held) return rejected("INSUFFICIENT_BALANCE");
  const spokes = usedSpokes(s, account);
  const px = prices(p, s, valuationAssets(p, s, account, spokes));
  if (px === null) return rejected("PRICE_UNAVAILABLE");
  if (hasStaleBook(p, s, account, spokes)) return rejected("REPORT_TOO_OLD"); // RISK-AGE-4
  const after = new Map(at(s.hub.collateral, account));
  after.set(asset, held - amount);
  const view = hubView(p, s, account, spokes, px, after);
  if (view.capacity < totalAlloc(s, account) + view.buffer) return rejected("INSUFFICIENT_CAPACITY");
  if (view.capacity < view.initialRequirement) return rejected("INSUFFICIENT_CAPACITY"); // RISK-IM-2, after it
  s.hub.collateral.set(account, after);
  add(s.hub.tokens, asset, -amount);
  return accepted();
}

/** HUB-GRANT-1, LIVE-5, HUB-GRANT-5, HUB-GRANT-2..HUB-GRANT-4, RISK-IM-2, CAP-1: judged with the spoke joined (RISK-13), then sent.
 * @param {Params} p @param {State} s @param {string} account @param {string} spoke @param {bigint} amount @returns {Outcome} */
export function grantCredit(p, s, account, spoke, amount) {
  const status = at(s.hub.status, account);
  if (status.liquidating) return rejected("ACCOUNT_LIQUIDATING");
  if (status.called) return rejected("MARGIN_CALLED"); // FLOW-CALL-4
  if (isSevered(s, account, spoke)) return rejected("SPOKE_SEVERED"); // LIVE-5
  if (!isListed(s, spoke)) return rejected("SPOKE_NOT_LISTED"); // HUB-GRANT-5
  if (s.hub.paused.has(spoke)) return rejected("SPOKE_PAUSED");
  const spokes = usedSpokes(s, account, spoke);
  const px = prices(p, s, valuationAssets(p, s, account, spokes));
  if (px === null) return rejected("PRICE_UNAVAILABLE");
  if (hasStaleBook(p, s, account, spokes)) return rejected("REPORT_TOO_OLD"); // RISK-AGE-4
  const view = hubView(p, s, account, spokes, px);
  const free = view.capacity - totalAlloc(s, account) - view.buffer;
  if (amount > free) return rejected("INSUFFICIENT_CAPACITY");
  if (view.capacity < view.initialRequirement) return rejected("INSUFFICIENT_CAPACITY"); // RISK-IM-2, once granted
  if (allocation(s, spoke) + amount > at(s.hub.caps, spoke)) return rejected("PARTITION_CAP");
  add(at(s.hub.alloc, account), spoke, amount);
  at(s.hub.linked, account).add(spoke);
  add(s.ghost.granted, spoke, amount);
  const id = send(s, HUB, spoke, { type: "CreditGrant", account, amount, epoch: status.epoch });
  return outcome("accepted", null, [id]);
}

/** HUB-REL-1: a release within the allocation returns it; received also when paused.
 * @param {State} s @param {string} spoke @param {string} account @param {bigint} amount @returns {Outcome} */
export function receiveRelease(s, spoke, account, amount) {
  const alloc = at(s.hub.alloc, account);
  if (amount > at(alloc, spoke)) return ignored("EXCEEDS_ALLOCATION");
  add(alloc, spoke, -amount);
  add(s.ghost.released, spoke, amount);
  return accepted();
}

/**
 * HUB-LOSS-5: the prices a seizure for the account may need: every asset it holds as
 * collateral and every asset in the insurance fund (non-zero amounts). Null if one is
 * unavailable.
 * @param {Params} p @param {State} s @param {string} account
 */
export function seizurePrices(p, s, account) {
  const assets = new Set();
  for (const [x, v] of at(s.hub.collateral, account)) if (v !== 0n) assets.add(x);
  for (const [x, v] of s.hub.insurance) if (v !== 0n) assets.add(x);
  return prices(p, s, assets);
}

/** HUB-CLAIM-1..HUB-CLAIM-3 in order, then HUB-LOSS-5, RATE-3 and the payment HUB-LOSS-1..4.
 * @param {Params} p @param {State} s @param {string} spoke @param {string} account @param {bigint} amount @returns {Outcome} */
export function receiveClaim(p, s, spoke, account, amount) {
  if (s.hub.paused.has(spoke)) return rejected("SPOKE_PAUSED");
  const alloc = at(s.hub.alloc, account);
  if (amount > at(alloc, spoke)) return ignored("EXCEEDS_ALLOCATION");
  const px = seizurePrices(p, s, account);
  if (px === null) return rejected("PRICE_UNAVAILABLE");
  if (rateLimited(s, spoke, amount)) return rejected("RATE_LIMITED"); // RATE-3, last
  charge(s, spoke, amount);
  add(alloc, spoke, -amount);
  add(s.ghost.claimed, spoke, amount);
  payLoss(p, s, spoke, account, amount, px);
  return accepted();
}

/**
 * HUB-LOSS-2: take value `v` from holdings asset by asset in declared order, at the
 * aggregate price without haircut, rounding against the holder. Assets without a price
 * are skipped (only the penalty can meet one, LIQ-6). Mutates `holdings`.
 * @param {Params} p @param {Map<string, bigint>} holdings @param {bigint} v @param {Map<string, bigint>} px
 * @returns {{ taken: Map<string, bigint>, remaining: bigint }}
 */
export function seize(p, holdings, v, px) {
  let remaining = v;
  const taken = new Map();
  for (const a of p.assets) {
    if (remaining === 0n) break;
    const held = at(holdings, a.id);
    const P = px.get(a.id);
    if (held === 0n || P === undefined) continue;
    const t = min(held, (remaining + P - 1n) / P);
    remaining -= min(remaining, t * P);
    holdings.set(a.id, held - t);
    taken.set(a.id, t);
  }
  return { taken, remaining };
}

/**
 * HUB-LOSS-1..HUB-LOSS-4: a loss L claimed by `spoke` for `account` is paid from the
 * collateral, then the insurance fund (at most the partition's room, INS-2), the seized
 * tokens becoming owed to the spoke's partition; the rest is socialized to the partition. Ghost paid grows by the value covered.
 * @param {Params} p @param {State} s @param {string} spoke @param {string} account @param {bigint} L @param {Map<string, bigint>} px
 */
export function payLoss(p, s, spoke, account, L, px) {
  const owed = at(s.hub.owed, spoke);
  const fromAccount = seize(p, at(s.hub.collateral, account), L, px);
  for (const [x, t] of fromAccount.taken) add(owed, x, t);
  const short = fromAccount.remaining;
  const cover = fundCover(p, s, spoke, short); // INS-2
  const fromFund = seize(p, s.hub.insurance, cover, px);
  for (const [x, t] of fromFund.taken) add(owed, x, t);
  recordDraw(p, s, spoke, cover - fromFund.remaining);
  const unpaid = short - (cover - fromFund.remaining);
  add(s.ghost.paid, spoke, L - unpaid);
  add(s.hub.socialized, spoke, unpaid);
}

/** HUB-REP-1, HUB-REP-4, RISK-AGE-1: a newer well-formed report replaces the last one, kept
 * with its time, at most the hub's now.
 * @param {Params} p @param {State} s @param {string} spoke @param {ExposureReport} r @returns {Outcome} */
export function receiveReport(p, s, spoke, r) {
  const reports = at(s.hub.reports, r.account);
  if (r.seq <= at(reports, spoke).seq) return ignored("STALE_REPORT");
  const markets = new Set(r.positions.map((x) => x.market));
  const malformed =
    markets.size !== r.positions.length || r.positions.some((x) => !p.market.has(x.market) || x.qty === 0n);
  if (malformed) return ignored("MALFORMED_REPORT");
  reports.set(spoke, {
    seq: r.seq,
    balance: r.balance,
    positions: new Map(r.positions.map((x) => [x.market, { qty: x.qty, cost: x.cost }])),
    time: min(r.time, s.now),
  });
  return accepted();
}
