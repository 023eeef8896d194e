"""Liquidation across spokes in the simulation: declare, call every spoke, answer after
the spoke's latency, settle with the penalty (LIQ-1..LIQ-7, SPK-CALL-1..SPK-CALL-3).

The rules of `model/liquidation.py` and `receive_margin_call` in `model/spoke.py`, for
one account at a time on the arrays of a `World`; messages take their spoke's latency
each way (STRESS-4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from model.liquidation import cut_to_allocation, penalty_of
from model.spoke import claimable_loss
from model.state import Position
from model.valuation import unrealized_pnl
from stresslab.ledger import charge_penalty, pay_loss
from stresslab.world import Message, World


def latency(world: World, spoke: int) -> int:
    """STRESS-4: a message between the hub and a spoke takes the spoke's latency."""
    return world.params.spokes[spoke].latency_s


def declare(world: World, row: int, requirement: int, now: int) -> None:
    """LIQ-2: the account enters LIQUIDATING under a new epoch, every spoke pending, with
    its requirement at the call; a margin call goes to every spoke in declared order."""
    world.liquidating[row] = True
    world.epoch[row] += 1
    world.pending[row, :] = True
    world.requirement_at_call[row] = requirement
    world.declared_at[row] = now
    world.tally.liquidations += 1
    world.record("Liquidate", now, row)
    for spoke in range(len(world.params.spokes)):
        call = Message(
            now + latency(world, spoke), world.sent, "MarginCall", row, spoke, int(world.epoch[row])
        )
        world.send(call)


def spoke_book(world: World, row: int, spoke: int) -> dict[str, Position]:
    """A spoke's own positions for an account."""
    return {
        market.id: Position(
            int(world.spoke_qty[row, spoke, m]), int(world.spoke_cost[row, spoke, m])
        )
        for m, market in enumerate(world.params.markets)
        if world.spoke_qty[row, spoke, m]
    }


def answer_margin_call(world: World, call: Message, prices: Mapping[str, int], now: int) -> None:
    """SPK-CALL-1..3: the spoke closes every position at the oracle's marks, claims the loss
    against the line, releases the rest, freezes the account and answers the epoch."""
    row, spoke = call.row, call.spoke
    if call.epoch <= world.called_epoch[row, spoke]:
        return  # STALE_EPOCH: ignored
    book = spoke_book(world, row, spoke)
    pnl = unrealized_pnl(world.params, book, prices, now, world.expiry_prices)
    balance = int(world.spoke_balance[row, spoke]) + pnl
    line = int(world.spoke_line[row, spoke])
    loss = claimable_loss(balance, line)
    world.spoke_qty[row, spoke, :] = 0
    world.spoke_cost[row, spoke, :] = 0
    world.spoke_line[row, spoke] = 0
    world.spoke_balance[row, spoke] = balance + loss
    world.spoke_seq[row, spoke] += 1
    world.called_epoch[row, spoke] = call.epoch
    world.tally.spoke_shortfall += max(0, -(balance + loss))
    answer = Message(
        now + latency(world, spoke),
        world.sent,
        "LiquidationReport",
        row,
        spoke,
        call.epoch,
        seq=int(world.spoke_seq[row, spoke]),
        released=line - loss,
        loss=loss,
        balance=balance + loss,
    )
    world.record("MarginCall", now, row, spoke, answer.released, answer.loss, answer.balance)
    world.send(answer)


def receive_answer(world: World, answer: Message, prices: Sequence[int], now: int) -> None:
    """LIQ-3..LIQ-5: the hub takes a spoke's answer: cut to the allocation (loss first),
    the loss paid like any claim, the report replaced; the last answer settles."""
    row, spoke = answer.row, answer.spoke
    if (
        not world.liquidating[row]
        or answer.epoch != world.epoch[row]
        or not world.pending[row, spoke]
    ):
        return  # NOT_LIQUIDATING / STALE_EPOCH: ignored
    loss, released = cut_to_allocation(
        answer.loss, answer.released, int(world.hub.alloc[row, spoke])
    )
    world.hub.alloc[row, spoke] -= released + loss
    pay_loss(world, row, spoke, loss, prices)
    if answer.seq > world.report_seq[row, spoke]:
        world.report_seq[row, spoke] = answer.seq
        world.hub.balance[row, spoke] = answer.balance
        world.hub.qty[row, spoke, :] = 0
        world.hub.cost[row, spoke, :] = 0
    world.pending[row, spoke] = False
    world.record("LiquidationReport", now, row, spoke)
    if not world.pending[row].any():
        settle(world, row, prices, now)


def settle(world: World, row: int, prices: Sequence[int], now: int) -> None:
    """LIQ-6..LIQ-7: the penalty on the requirement at the call goes to the insurance fund
    (waived where the account cannot pay), and the account leaves LIQUIDATING."""
    penalty = penalty_of(int(world.requirement_at_call[row]), world.params.penalty_bps)
    charge_penalty(world, row, penalty, prices)
    world.liquidating[row] = False
    world.requirement_at_call[row] = 0
    world.tally.settle_seconds.append(now - int(world.declared_at[row]))
    world.record("Settle", now, row)
