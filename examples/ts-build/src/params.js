// The parameter set (parameters.md, PAR-1..PAR-12), read from its JSON
// (spec/schema/params.schema.json). The harness sends valid parameters; this module
// checks the shape it relies on and refuses anything else with a one-line reason.

/** @typedef {import("./json.js").JsonValue} JsonValue */

/**
 * @typedef {{ id: string, haircut_bps: bigint, volatility_bps: bigint, scan_range_bps: bigint, fixed_price: bigint | null, ltv_haircut_bps: bigint | null }} Asset
 * @typedef {{ id: string, underlying: string, kind: "perp" | "call" | "put", im_bps: bigint, mm_bps: bigint, strike: bigint | null, expiry: bigint | null, volatility_bps: bigint | null }} Market
 * @typedef {{ capacity: bigint, refill_per_s: bigint }} RateLimit  PAR-20, RATE-1
 * @typedef {{ id: string, cap: bigint, latency_s: bigint, listed: boolean, rate_limit: RateLimit | null, finality_s: bigint }} Spoke  listed: LIST-1; finality_s: PAR-27
 * @typedef {{ id: string, asset: string }} Feed
 * @typedef {{ vol_scan_bps: bigint, extreme_multiple: bigint, extreme_cover_bps: bigint, im_bps: bigint, short_option_min_bps: bigint, spread_charge_bps: bigint }} Portfolio
 * @typedef {{
 *   accounts: string[], assets: Asset[], markets: Market[], spokes: Spoke[],
 *   feeds: Feed[], quorum: bigint, max_age_s: bigint, outlier_bps: bigint,
 *   portfolio: Portfolio, buffer_z_milli: bigint, penalty_bps: bigint,
 *   insurance_fund: [string, bigint][], margin_method: "portfolio" | "per_position",
 *   max_report_age_s: bigint, liquidation_deadline_s: bigint, top_up_window_s: bigint, call_floor_bps: bigint, notice_s: bigint,
 *   partial_liquidation: { target_bps: bigint, penalty_bps: bigint },
 *   channel_ordering: "unordered" | "ordered",
 *   insurance_structure: "shared" | "per_partition" | "shared_limited", insurance_limits: Map<string, bigint>,
 *   asset: Map<string, Asset>, market: Map<string, Market>, spoke: Map<string, Spoke>,
 *   feed: Map<string, Feed>, account: Set<string>,
 * }} Params
 */

/** @param {string} path @param {string} what @returns {never} */
function bad(path, what) {
  throw new Error(`params: ${path}: ${what}`);
}

/** @param {JsonValue | undefined} v @param {string} path @returns {{ [key: string]: JsonValue }} */
function obj(v, path) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) bad(path, "expected an object");
  return /** @type {{ [key: string]: JsonValue }} */ (v);
}
/** @param {JsonValue | undefined} v @param {string} path @returns {JsonValue[]} */
function arr(v, path) {
  if (!Array.isArray(v)) bad(path, "expected an array");
  return /** @type {JsonValue[]} */ (v);
}
/** @param {JsonValue | undefined} v @param {string} path @returns {bigint} */
function int(v, path) {
  if (typeof v !== "bigint") bad(path, "expected an integer");
  return /** @type {bigint} */ (v);
}
/** @param {JsonValue | undefined} v @param {string} path @returns {bigint | null} */
function optInt(v, path) {
  return v === undefined || v === null ? null : int(v, path);
}
/** @param {JsonValue | undefined} v @param {string} path @returns {string} */
function str(v, path) {
  if (typeof v !== "string") bad(path, "expected a string");
  return /** @type {string} */ (v);
}

/**
 * Read a parameter set and index its ids (ID-2: separate namespaces per kind).
 * @param {JsonValue} json
 * @returns {Params}
 */
export function readParams(json) {
  const p = obj(json, "params");
  const assets = arr(p.assets, "assets").map((a, i) => {
    const o = obj(a, `assets.${i}`);
    return {
      id: str(o.id, `assets.${i}.id`),
      haircut_bps: int(o.haircut_bps, `assets.${i}.haircut_bps`),
      volatility_bps: int(o.volatility_bps, `assets.${i}.volatility_bps`),
      scan_range_bps: int(o.scan_range_bps, `assets.${i}.scan_range_bps`),
      fixed_price: optInt(o.fixed_price, `assets.${i}.fixed_price`),
      ltv_haircut_bps: optInt(o.ltv_haircut_bps, `assets.${i}.ltv_haircut_bps`),
    };
  });
  const markets = arr(p.markets, "markets").map((m, i) => {
    const o = obj(m, `markets.${i}`);
    const kind = str(o.kind, `markets.${i}.kind`);
    if (kind !== "perp" && kind !== "call" && kind !== "put") bad(`markets.${i}.kind`, kind);
    return {
      id: str(o.id, `markets.${i}.id`),
      underlying: str(o.underlying, `markets.${i}.underlying`),
      kind: /** @type {"perp" | "call" | "put"} */ (kind),
      im_bps: int(o.im_bps, `markets.${i}.im_bps`),
      mm_bps: int(o.mm_bps, `markets.${i}.mm_bps`),
      strike: optInt(o.strike, `markets.${i}.strike`),
      expiry: optInt(o.expiry, `markets.${i}.expiry`),
      volatility_bps: optInt(o.volatility_bps, `markets.${i}.volatility_bps`),
    };
  });
  const spokes = arr(p.spokes, "spokes").map((s, i) => {
    const o = obj(s, `spokes.${i}`);
    const id = str(o.id, `spokes.${i}.id`);
    if (id === "hub") bad(`spokes.${i}.id`, "no spoke may be called hub (BND-6)");
    const listed = o.listed === undefined ? true : o.listed; // LIST-1: listed unless declared otherwise
    if (typeof listed !== "boolean") bad(`spokes.${i}.listed`, "expected a boolean");
    const rl = o.rate_limit === undefined || o.rate_limit === null ? null : obj(o.rate_limit, `spokes.${i}.rate_limit`);
    return {
      id,
      cap: int(o.cap, `spokes.${i}.cap`),
      latency_s: int(o.latency_s, `spokes.${i}.latency_s`),
      listed: /** @type {boolean} */ (listed),
      // PAR-20: absent is no limit
      rate_limit:
        rl === null
          ? null
          : { capacity: int(rl.capacity, `spokes.${i}.rate_limit.capacity`), refill_per_s: int(rl.refill_per_s, `spokes.${i}.rate_limit.refill_per_s`) },
      // PAR-27: final at once when absent
      finality_s: o.finality_s === undefined ? 0n : int(o.finality_s, `spokes.${i}.finality_s`),
    };
  });
  const oracle = obj(p.oracle, "oracle");
  const feeds = arr(oracle.feeds, "oracle.feeds").map((f, i) => {
    const o = obj(f, `oracle.feeds.${i}`);
    return { id: str(o.id, `oracle.feeds.${i}.id`), asset: str(o.asset, `oracle.feeds.${i}.asset`) };
  });
  const portfolio = obj(p.portfolio, "portfolio");
  // SPAN-9 inter-commodity credits are not implemented here: refuse a parameter set that
  // declares a spread rather than margin it without the credit (PAR-18).
  if (portfolio.inter_spreads !== undefined && arr(portfolio.inter_spreads, "portfolio.inter_spreads").length > 0) {
    bad("portfolio.inter_spreads", "not implemented (SPAN-9 inter-commodity credits)");
  }
  const method = p.margin_method === undefined ? "portfolio" : str(p.margin_method, "margin_method");
  if (method !== "portfolio" && method !== "per_position") bad("margin_method", method);
  const fund = p.insurance_fund === undefined ? [] : arr(p.insurance_fund, "insurance_fund");
  // PAR-21: unordered when absent
  const ordering = p.channel_ordering === undefined ? "unordered" : str(p.channel_ordering, "channel_ordering");
  if (ordering !== "unordered" && ordering !== "ordered") bad("channel_ordering", ordering);
  // PAR-19: shared when absent; a spoke without a declared limit has limit 0 (INS-1)
  const structure = p.insurance_structure === undefined ? "shared" : str(p.insurance_structure, "insurance_structure");
  if (structure !== "shared" && structure !== "per_partition" && structure !== "shared_limited") bad("insurance_structure", structure);
  const limits = p.insurance_limits === undefined ? [] : arr(p.insurance_limits, "insurance_limits");
  const partial = p.partial_liquidation === undefined ? {} : obj(p.partial_liquidation, "partial_liquidation");
  return {
    accounts: arr(p.accounts, "accounts").map((a, i) => str(a, `accounts.${i}`)),
    assets,
    markets,
    spokes,
    feeds,
    quorum: int(oracle.quorum, "oracle.quorum"),
    max_age_s: int(oracle.max_age_s, "oracle.max_age_s"),
    outlier_bps: int(oracle.outlier_bps, "oracle.outlier_bps"),
    portfolio: {
      vol_scan_bps: int(portfolio.vol_scan_bps, "portfolio.vol_scan_bps"),
      extreme_multiple: int(portfolio.extreme_multiple, "portfolio.extreme_multiple"),
      extreme_cover_bps: int(portfolio.extreme_cover_bps, "portfolio.extreme_cover_bps"),
      im_bps: int(portfolio.im_bps, "portfolio.im_bps"),
      short_option_min_bps: int(portfolio.short_option_min_bps, "portfolio.short_option_min_bps"),
      spread_charge_bps: int(portfolio.spread_charge_bps, "portfolio.spread_charge_bps"),
    },
    buffer_z_milli: int(p.buffer_z_milli, "buffer_z_milli"),
    penalty_bps: int(p.penalty_bps, "penalty_bps"),
    insurance_fund: fund.map((e, i) => {
      const pair = arr(e, `insurance_fund.${i}`);
      return /** @type {[string, bigint]} */ ([str(pair[0], `insurance_fund.${i}.0`), int(pair[1], `insurance_fund.${i}.1`)]);
    }),
    margin_method: /** @type {"portfolio" | "per_position"} */ (method),
    // PAR-16: 300 s when absent
    max_report_age_s: p.max_report_age_s === undefined ? 300n : int(p.max_report_age_s, "max_report_age_s"),
    // PAR-17: 3600 s when absent
    liquidation_deadline_s:
      p.liquidation_deadline_s === undefined ? 3600n : int(p.liquidation_deadline_s, "liquidation_deadline_s"),
    // PAR-22, PAR-23: no top-up window and a floor at half the requirement when absent
    top_up_window_s: p.top_up_window_s === undefined ? 0n : int(p.top_up_window_s, "top_up_window_s"),
    call_floor_bps: p.call_floor_bps === undefined ? 5000n : int(p.call_floor_bps, "call_floor_bps"),
    // PAR-25: a day when absent
    notice_s: p.notice_s === undefined ? 86_400n : int(p.notice_s, "notice_s"),
    // PAR-24: a 10% buffer above maintenance and a 1% penalty when absent
    partial_liquidation: {
      target_bps: partial.target_bps === undefined ? 1_000n : int(partial.target_bps, "partial_liquidation.target_bps"),
      penalty_bps: partial.penalty_bps === undefined ? 100n : int(partial.penalty_bps, "partial_liquidation.penalty_bps"),
    },
    channel_ordering: /** @type {"unordered" | "ordered"} */ (ordering),
    insurance_structure: /** @type {"shared" | "per_partition" | "shared_limited"} */ (structure),
    insurance_limits: new Map(
      limits.map((e, i) => {
        const pair = arr(e, `insurance_limits.${i}`);
        return /** @type {[string, bigint]} */ ([str(pair[0], `insurance_limits.${i}.0`), int(pair[1], `insurance_limits.${i}.1`)]);
      }),
    ),
    asset: new Map(assets.map((a) => [a.id, a])),
    market: new Map(markets.map((m) => [m.id, m])),
    spoke: new Map(spokes.map((s) => [s.id, s])),
    feed: new Map(feeds.map((f) => [f.id, f])),
    account: new Set(arr(p.accounts, "accounts").map((a, i) => str(a, `accounts.${i}`))),
  };
}
