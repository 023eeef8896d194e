"""Z3 proofs of the invariants: encodings, obligations, BMC, mutants, reports, runner.

What is encoded, and why (read with `proofs/state.py`):

- **A fixed small universe** (`proofs/universe.py`; why it is enough:
  PROOF-SMALL-1..5, `proofs.small_model`): two accounts, two spokes, the
  settlement asset USD (fixed price 1) and ETH; one account and up to three spokes for
  the liquidation BMC.  Every entry of every dense map of the model's state is one Z3
  `Int` (or `Bool`) over unbounded integers; the declared bounds of spec/bounds.py
  constrain action parameters (the boundary), and INV-NONNEG-1 and the ghost-sum
  sanity clauses constrain states.  Sums over accounts or spokes ("allocation to a
  spoke", "tokens = deposits + ...") are plain sums over the fixed universe; this is
  simpler than Certora-style ghost hooks and exact.  Accounts are interchangeable in
  every rule, and so are spokes, so a step obligation uses one representative
  account and spoke (all assets); the universe has a second of each so that rules
  meet "another account" and "another spoke".
- **Credit in flight as ghost sums** per (kind, account, spoke): grants, releases,
  loss claims, liquidation answers (credit), plus counts of live margin calls and of
  answers in flight and of grants of the current epoch.  `proofs.abstraction.assignment`
  maps a concrete bag onto them by summing; `proofs.concretize.trace_of` maps a Z3 model
  back to one concrete message per non-zero sum, so a counterexample is a replayable
  trace.  Which payload a delivered message can carry is a premise over the sums
  (`proofs.premises.in_bag`).  Message ids keep their own exact view (Z3 arrays
  `inflight`, `delivered` and `next_id`) for INV-AMO-1.
- **Prices are symbolic per step** (PROOF-PRICE-1..3): every non-fixed price a step
  sees is a fresh integer within 1..MAX_PRICE, or missing (one regime each), unrelated
  to any earlier step's; the fixed-price settlement asset keeps its constant; the
  oracle's prices at the pre-state in `proofs.concrete`.  Amount x price and
  ceil(value / price) in collateral valuation and seizure are then nonlinear, but no
  goal needs their value, so every obligation stays within the default budget.  No
  invariant mentions a price except INV-CREDIT-2, which is evaluated at the step's own
  prices.  The liquidation BMC alone fixes one live vector, justified by the
  `price-independence/step/*` obligations (PROOF-PRICE-4, `proofs.prices`).  What depends on
  positions (reported PnL, the latency buffer, margins, health, a trade's realized
  PnL and direction, the marks a margin call closes at) is an *input* of the
  transition: universally quantified in the proofs (within its declared sign),
  computed by the model (`model/risk.py` and the modules it stands on) in
  `proofs.concrete_actions`.
- **Transitions** (`proofs/transitions/`): one function per action kind with the
  model's guards in the model's order and the model's error codes; a rejected step
  returns the pre-state, an ignored delivery the consumed one.  `Deliver` and `Inject`
  are split by message kind.
- **Liveness by induction, not by unrolling**: a liquidation's deadline is a field, so
  "it ends within the deadline whatever the spokes do" is three small step obligations
  (`proofs.liveness`), not a BMC over every message a spoke could send or withhold.
- **Out of the encoding**: unknown ids (STEP-2: the universe has only known ids),
  quotes and positions themselves (see inputs above), exposure-report contents
  beyond their sequence number.

Modules: `state` (symbolic state), `transitions/` (the rules), `invariants` (formulas
tagged with spec ids), `premises` (actions as symbols, what can be in flight, the
queries), `obligations` (the named checks), `liveness` (bounded liquidation with silent
spokes, by induction over every step kind: INV-LIVE-1..4), `checking` (Z3 asked, verdicts and
counterexamples), `bmc` (INV-LIQ-2), `mutants` (broken transitions), `concrete`
(model <-> Z3), `concretize` (counterexamples as replayable traces), `report` (tables,
JSON, JUnit), `runner` (parallel runs), `budget` (Z3's resource limit per query, the
wall-clock safety net, and which one ran out: PROOF-BUDGET-1..3).
"""
