// Execution spokes (spokes.md: SPK-1..SPK-4, SPK-PNL-1, SPK-TRADE-1..5, SPK-CLAIM-1,
// SPK-REL-1..2, SPK-REP-1, SPK-GRANT-1..3, SPK-CALL-1..3).

import { abs, ceilDiv, max, min, sign, MAX_AMOUNT, MAX_QTY } from "./num.js";
import { send } from "./network.js";
import { prices } from "./oracle.js";
import { bookMargin, underlyings, unrealizedPnl } from "./risk.js";
import { accepted, at, HUB, ignored, outcome, rejected, views } from "./state.js";

/**
 * @typedef {import("./params.js").Params} Params
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Outcome} Outcome
 * @typedef {import("./state.js").SpokeAccount} SpokeAccount
 * @typedef {import("./state.js").Position} Position
 * @typedef {import("./state.js").Book} Book
 */

/** @param {State} s @param {string} spoke @param {string} account */
const accountOn = (s, spoke, account) => at(at(s.spokes, spoke), account);

/** SPK-REP-1: increment seq and send the report, positions sorted by market.
 * @param {State} s @param {string} spoke @param {string} account @returns {bigint} */
export function report(s, spoke, account) {
  const a = accountOn(s, spoke, account);
  a.seq += 1n;
  const positions = views(a.positions);
  return send(s, spoke, HUB, { type: "ExposureReport", account, seq: a.seq, balance: a.balance, positions, time: s.now }); // RISK-AGE-1
}

/** SPK-CLAIM-1: claim a negative balance against the line, debiting before sending.
 * @param {State} s @param {string} spoke @param {string} account @returns {bigint[]} the claim's id, if any */
export function claimLoss(s, spoke, account) {
  const a = accountOn(s, spoke, account);
  const claim = min(max(-a.balance, 0n), a.line);
  if (claim === 0n) return [];
  a.line -= claim;
  a.balance += claim;
  return [send(s, spoke, HUB, { type: "LossClaim", account, amount: claim })];
}

/** SPK-REP-1: SendReport is always accepted.
 * @param {State} s @param {string} spoke @param {string} account @returns {Outcome} */
export function sendReport(s, spoke, account) {
  return outcome("accepted", null, [report(s, spoke, account)]);
}

/**
 * SPK-TRADE-4: a fill of qty lots at price on (q, c): the new position and realized PnL.
 * @param {Position} pos @param {bigint} qty @param {bigint} price @returns {{ pos: Position, realized: bigint }}
 */
export function fill(pos, qty, price) {
  const { qty: q, cost: c } = pos;
  if (q === 0n || sign(qty) === sign(q)) return { pos: { qty: q + qty, cost: c + qty * price }, realized: 0n };
  const k = abs(qty) <= abs(q) ? qty : -q;
  const removed = ceilDiv(c * abs(k), abs(q));
  const realized = -k * price - removed;
  const rest = qty - k;
  if (rest !== 0n) return { pos: { qty: rest, cost: rest * price }, realized };
  return { pos: { qty: q + k, cost: c - removed }, realized };
}

/** SPK-2: local equity = line + balance + unrealized PnL at the state's time and expiry prices (PRC-13).
 * @param {Params} p @param {bigint} line @param {bigint} balance @param {Book} book @param {Map<string, bigint>} px @param {State} s */
function localEquity(p, line, balance, book, px, s) {
  return line + balance + unrealizedPnl(p, book, px, s.now, s.expiry_prices);
}

/**
 * SPK-TRADE-1..SPK-TRADE-5 (and BND-7): checks in order, the fill, then the claim and
 * the report.
 * @param {Params} p @param {State} s @param {string} spoke @param {string} account
 * @param {string} market @param {bigint} qty @param {bigint} price @returns {Outcome}
 */
export function trade(p, s, spoke, account, market, qty, price) {
  const a = accountOn(s, spoke, account);
  const old = a.positions.get(market) ?? { qty: 0n, cost: 0n };
  if (qty === 0n) return rejected("INVALID_AMOUNT");
  if (abs(old.qty + qty) > MAX_QTY) return rejected("INVALID_AMOUNT");
  const { pos, realized } = fill(old, qty, price);
  const balance = a.balance + realized;
  if (abs(pos.cost) > MAX_AMOUNT || abs(balance) > MAX_AMOUNT) return rejected("INVALID_AMOUNT"); // BND-7
  /** @type {Book} */
  const book = new Map(a.positions);
  if (pos.qty === 0n) book.delete(market);
  else book.set(market, pos);
  const reducing = old.qty !== 0n && sign(qty) === -sign(old.qty) && abs(qty) <= abs(old.qty); // SPK-TRADE-1
  if (!reducing) {
    if (a.frozen) return rejected("MARGIN_CALLED");
    const px = prices(p, s, underlyings(p, book));
    if (px === null) return rejected("PRICE_UNAVAILABLE");
    if (localEquity(p, a.line, balance, book, px, s) < bookMargin(p, book, px, true, s.now, s.expiry_prices)) return rejected("INSUFFICIENT_MARGIN");
  }
  a.positions = book;
  a.balance = balance;
  const emitted = claimLoss(s, spoke, account);
  emitted.push(report(s, spoke, account));
  return outcome("accepted", null, emitted);
}

/** SPK-REL-1, SPK-REL-2: checks in order, then debit the line and send the release.
 * @param {Params} p @param {State} s @param {string} spoke @param {string} account @param {bigint} amount @returns {Outcome} */
export function releaseCredit(p, s, spoke, account, amount) {
  const a = accountOn(s, spoke, account);
  if (amount > a.line) return rejected("INSUFFICIENT_CREDIT");
  const px = prices(p, s, underlyings(p, a.positions));
  if (px === null) return rejected("PRICE_UNAVAILABLE");
  if (localEquity(p, a.line - amount, a.balance, a.positions, px, s) < bookMargin(p, a.positions, px, true, s.now, s.expiry_prices)) {
    return rejected("INSUFFICIENT_MARGIN");
  }
  a.line -= amount;
  return outcome("accepted", null, [send(s, spoke, HUB, { type: "CreditRelease", account, amount })]);
}

/** SPK-GRANT-1..SPK-GRANT-3: extend the line, maybe lift the freeze, claim a standing loss.
 * @param {State} s @param {string} spoke @param {string} account @param {bigint} amount @param {bigint} epoch @returns {Outcome} */
export function receiveGrant(s, spoke, account, amount, epoch) {
  const a = accountOn(s, spoke, account);
  a.line += amount;
  if (epoch >= a.called_epoch) a.frozen = false;
  if (a.balance >= 0n) return accepted();
  const emitted = claimLoss(s, spoke, account);
  emitted.push(report(s, spoke, account));
  return outcome("accepted", null, emitted);
}

/** SPK-CALL-1..SPK-CALL-3: obey a newer margin call: close at marks, claim, release, answer.
 * @param {Params} p @param {State} s @param {string} spoke @param {string} account @param {bigint} epoch @returns {Outcome} */
export function receiveMarginCall(p, s, spoke, account, epoch) {
  const a = accountOn(s, spoke, account);
  if (epoch <= a.called_epoch) return ignored("STALE_EPOCH");
  const px = prices(p, s, underlyings(p, a.positions));
  if (px === null) return rejected("PRICE_UNAVAILABLE");
  const b = a.balance + unrealizedPnl(p, a.positions, px, s.now, s.expiry_prices);
  const loss = min(max(-b, 0n), a.line);
  const released = a.line - loss;
  a.line = 0n;
  a.balance = b + loss;
  a.positions = new Map();
  a.seq += 1n;
  a.called_epoch = epoch;
  a.frozen = true;
  const answer = { type: /** @type {const} */ ("LiquidationReport"), account, epoch, seq: a.seq, released, loss, balance: a.balance };
  return outcome("accepted", null, [send(s, spoke, HUB, answer)]);
}
