// The state and its initial value (state.md: INIT-1), with the payload and outcome
// shapes of messaging.md (MSG-1..MSG-8) and state.md (OUT-1..OUT-3).
//
// Every map over declared ids is dense (INIT-1), so `at` may insist that a key exists.

/** @typedef {import("./params.js").Params} Params */

/**
 * @typedef {{ qty: bigint, cost: bigint }} Position
 * @typedef {Map<string, Position>} Book  market -> position, only non-zero sizes
 * @typedef {{ market: string, qty: bigint, cost: bigint }} PositionView
 * @typedef {{ type: "CreditGrant", account: string, amount: bigint, epoch: bigint }} CreditGrant
 * @typedef {{ type: "MarginCall", account: string, epoch: bigint }} MarginCall
 * @typedef {{ type: "CreditRelease", account: string, amount: bigint }} CreditRelease
 * @typedef {{ type: "LossClaim", account: string, amount: bigint }} LossClaim
 * @typedef {{ type: "ExposureReport", account: string, seq: bigint, balance: bigint, positions: PositionView[], time: bigint }} ExposureReport
 * @typedef {{ type: "LiquidationReport", account: string, epoch: bigint, seq: bigint, released: bigint, loss: bigint, balance: bigint }} LiquidationReport
 * @typedef {CreditGrant | MarginCall | CreditRelease | LossClaim | ExposureReport | LiquidationReport} Message
 * @typedef {{ id: bigint, sender: string, receiver: string, payload: Message }} Envelope
 * @typedef {{ seq: bigint, balance: bigint, positions: Book, time: bigint }} Report  time: RISK-AGE-1
 * @typedef {{ liquidating: boolean, epoch: bigint, pending: Set<string>, requirement_at_call: bigint, deadline: bigint, called: boolean, called_at: bigint }} AccountStatus
 * @typedef {{ line: bigint, balance: bigint, positions: Book, seq: bigint, called_epoch: bigint, frozen: boolean }} SpokeAccount
 * @typedef {{
 *   collateral: Map<string, Map<string, bigint>>, alloc: Map<string, Map<string, bigint>>,
 *   status: Map<string, AccountStatus>, reports: Map<string, Map<string, Report>>,
 *   caps: Map<string, bigint>, paused: Set<string>, insurance: Map<string, bigint>,
 *   owed: Map<string, Map<string, bigint>>, socialized: Map<string, bigint>,
 *   tokens: Map<string, bigint>, linked: Map<string, Set<string>>,
 *   severed: Map<string, Set<string>>, listing: Map<string, Listing>,
 *   buckets: Map<string, bigint>, drawn: Map<string, bigint>,
 *   applied: Map<string, Map<string, bigint>>, scheduled: Map<string, Map<string, Scheduled>>,
 * }} Hub  severed: LIVE-5; listing: LIST-1; buckets: RATE-2 (rate-limited spokes only); drawn: INS-2;
 *   applied, scheduled: GOV-NOTICE-2..3, by parameter then asset or spoke
 * @typedef {{ value: bigint, effective_at: bigint, announced_at: bigint }} Scheduled  GOV-NOTICE-2
 * @typedef {{ haircut: Map<string, bigint>, ltv: Map<string, bigint>, latency: Map<string, bigint> }} InForce
 *   GOV-NOTICE-3: the risk parameters changes have put in force (an LTV haircut raised with its haircut)
 * @typedef {"listed" | "unlisted" | "delisted" | "removed"} Listing
 * @typedef {{ in_flight: Map<bigint, Envelope>, delivered: Set<bigint>, next_id: bigint }} Network
 * @typedef {{ granted: Map<string, bigint>, released: Map<string, bigint>, claimed: Map<string, bigint>, paid: Map<string, bigint>, compromised: Set<string> }} Ghost
 * @typedef {{ checkpoint: Map<string, SpokeAccount>, changed: bigint, sent: Set<bigint> }} Segment  FIN-1
 * @typedef {{ halted: boolean, segment: Segment | null }} Chain  FIN-1, FIN-6
 * @typedef {{ now: bigint, quotes: Map<string, { price: bigint, time: bigint }>, expiry_prices: Map<string, bigint>, hub: Hub, spokes: Map<string, Map<string, SpokeAccount>>, network: Network, ghost: Ghost, in_force: InForce, chains: Map<string, Chain> }} State
 * @typedef {"accepted" | "rejected" | "ignored"} Status
 * @typedef {{ status: Status, error: string | null, emitted: bigint[] }} Outcome
 */

export const HUB = "hub"; // BND-6

/**
 * The value at a key that a dense map must hold.
 * @template K, V
 * @param {Map<K, V>} map @param {K} key @returns {V}
 */
export function at(map, key) {
  const v = map.get(key);
  if (v === undefined) throw new Error(`internal: missing key ${String(key)}`);
  return v;
}

/** Add `amount` to the entry at `key` of a dense counter map.
 * @param {Map<string, bigint>} map @param {string} key @param {bigint} amount */
export function add(map, key, amount) {
  map.set(key, at(map, key) + amount);
}

/** @template T @param {string[]} keys @param {() => T} make @returns {Map<string, T>} */
function dense(keys, make) {
  return new Map(keys.map((k) => [k, make()]));
}

/**
 * INIT-1: nothing deposited, allocated or reported; caps as declared; the insurance
 * fund as declared (PAR-12: an asset listed twice takes its last amount) and held as
 * hub tokens; every (spoke, account) empty; nothing in flight; next_id = 1; time 0.
 * @param {Params} p @returns {State}
 */
export function initialState(p) {
  const assets = p.assets.map((a) => a.id);
  const spokes = p.spokes.map((s) => s.id);
  const insurance = dense(assets, () => 0n);
  for (const [asset, amount] of p.insurance_fund) insurance.set(asset, amount);
  return {
    now: 0n,
    quotes: new Map(),
    expiry_prices: new Map(), // PRC-14: none fixed at INIT-1
    hub: {
      collateral: dense(p.accounts, () => dense(assets, () => 0n)),
      alloc: dense(p.accounts, () => dense(spokes, () => 0n)),
      status: dense(p.accounts, () => ({ liquidating: false, epoch: 0n, pending: new Set(), requirement_at_call: 0n, deadline: 0n, called: false, called_at: 0n })),
      reports: dense(p.accounts, () => dense(spokes, () => ({ seq: 0n, balance: 0n, positions: new Map(), time: 0n }))),
      caps: new Map(p.spokes.map((s) => [s.id, s.cap])),
      paused: new Set(),
      insurance,
      owed: dense(spokes, () => dense(assets, () => 0n)),
      socialized: dense(spokes, () => 0n),
      tokens: new Map(insurance),
      linked: dense(p.accounts, () => new Set()),
      severed: dense(p.accounts, () => new Set()),
      listing: new Map(p.spokes.map((s) => [s.id, s.listed ? "listed" : "unlisted"])), // LIST-1
      buckets: new Map(p.spokes.flatMap((s) => (s.rate_limit === null ? [] : [[s.id, s.rate_limit.capacity]]))), // RATE-2: full
      drawn: new Map(), // INS-2: a spoke that never drew has no entry
      applied: new Map(), // GOV-NOTICE-3: nothing changed at INIT-1
      scheduled: new Map(), // GOV-NOTICE-2: nothing announced
    },
    spokes: dense(spokes, () =>
      dense(p.accounts, () => ({ line: 0n, balance: 0n, positions: new Map(), seq: 0n, called_epoch: 0n, frozen: false })),
    ),
    network: { in_flight: new Map(), delivered: new Set(), next_id: 1n },
    ghost: {
      granted: dense(spokes, () => 0n),
      released: dense(spokes, () => 0n),
      claimed: dense(spokes, () => 0n),
      paid: dense(spokes, () => 0n),
      compromised: new Set(),
    },
    in_force: { haircut: new Map(), ltv: new Map(), latency: new Map() }, // GOV-NOTICE-3: as declared
    chains: new Map(), // FIN-1, FIN-6: every chain running, no segment
  };
}

/** @param {Status} status @param {string | null} [error] @param {bigint[]} [emitted] @returns {Outcome} */
export function outcome(status, error = null, emitted = []) {
  return { status, error, emitted };
}
export const accepted = () => outcome("accepted");
/** @param {string} error */
export const rejected = (error) => outcome("rejected", error);
/** @param {string} error */
export const ignored = (error) => outcome("ignored", error);

/** A position book as a report lists it: sorted by market id (OBS-2, SPK-REP-1).
 * @param {Book} book @returns {PositionView[]} */
export function views(book) {
  return [...book.entries()]
    .filter(([, p]) => p.qty !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([market, p]) => ({ market, qty: p.qty, cost: p.cost }));
}
