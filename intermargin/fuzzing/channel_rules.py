"""The machine's moves about ordered channels and rate limits (CHAN-1..CHAN-5, RATE-1..RATE-6).

A run starts from one of `strategies.VARIANTS` (drawn by the initializer): on ordered
channels the network delivers channel heads (`deliverable`), and `jump_the_queue` tries a
message behind its head (OUT_OF_ORDER); on rate-limited spokes the adversary's claims drain
the bucket (RATE_LIMITED), and a fair drain waits for the buckets to refill (RATE-6).
"""

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.checked import CheckedMachine, counted
from model.channels import channel_heads, is_ordered
from spec import actions
from spec.bounds import HUB
from spec.messages import LossClaim


class ChannelRules(CheckedMachine):
    """Rules and helpers for the channel and rate-limit variants."""

    @property
    def rated(self) -> bool:
        """RATE-1: some spoke of this run is rate limited."""
        return any(s.rate_limit is not None for s in self.params.spokes)

    def within_rate(self, spoke: str, cap: int) -> int:
        """RATE-5: governance keeps a rate-limited spoke's cap within its bucket's capacity,
        so that every honest loss (at most the allocation, at most the cap) can pass."""
        limit = next(s.rate_limit for s in self.params.spokes if s.id == spoke)
        return cap if limit is None else min(cap, limit.capacity)

    def behind_heads(self) -> list[int]:
        """Messages in flight on an ordered channel that are not their channel's head."""
        if not is_ordered(self.state):
            return []
        heads = set(channel_heads(self.state))
        return sorted(set(self.state.network.in_flight) - heads)

    def has_behind_heads(self) -> bool:
        return bool(self.behind_heads())

    @precondition(has_behind_heads)
    @rule(data=st.data())
    @counted
    def jump_the_queue(self, data: st.DataObject) -> None:
        """CHAN-2: a relayer delivers a message behind its channel's head: OUT_OF_ORDER."""
        mid = data.draw(st.sampled_from(self.behind_heads()))
        outcome = self.apply(actions.Deliver(message_id=mid))
        hypothesis.event(f"behind the head: {outcome.status} {outcome.error}")

    def adversary_rated_allocation(self) -> list[str]:
        """Accounts the adversary's spoke holds allocation for, when that spoke is rate
        limited (RATE-1)."""
        if fz.ADVERSARY not in self.state.hub.buckets:
            return []
        return [a for a in self.params.accounts if self.state.hub.alloc[(a, fz.ADVERSARY)]]

    def adversary_is_rated(self) -> bool:
        return bool(self.adversary_rated_allocation())

    @precondition(adversary_is_rated)
    @rule(data=st.data())
    @counted
    def adversary_claims_past_its_bucket(self, data: st.DataObject) -> None:
        """RATE-3, INV-RATE-1: the adversary's spoke claims one more than its bucket holds
        (at most its allocation): RATE_LIMITED while the bucket is short, else accepted and
        the bucket drains, so the next claim meets an emptier one."""
        account = data.draw(st.sampled_from(self.adversary_rated_allocation()))
        self.claim_past_the_bucket(account, "claim past the bucket")

    def claim_past_the_bucket(self, account: str, label: str) -> None:
        """The adversary's spoke claims for `account` one more than its bucket holds, at most
        the allocation (RATE-3)."""
        allocated = self.state.hub.alloc[(account, fz.ADVERSARY)]
        amount = min(allocated, self.state.hub.buckets[fz.ADVERSARY] + 1)
        claim = LossClaim(account=account, amount=amount)
        outcome = self.apply(actions.Inject(sender=fz.ADVERSARY, receiver=HUB, payload=claim))
        hypothesis.event(f"{label}: {outcome.status} {outcome.error}")

    def adversary_is_rate_limited(self) -> bool:
        return fz.ADVERSARY in self.state.hub.buckets

    @precondition(adversary_is_rate_limited)
    @rule(account=fz.accounts)
    @counted
    def adversary_drains_its_bucket_then_claims_again(self, account: str) -> None:
        """RATE-3, INV-RATE-1: twice, the hub grants the account what room the adversary's
        rate-limited spoke has left under its cap, and the spoke claims it all (at most one
        more than its bucket holds): the first claim drains the bucket, the second, with no
        time to refill, meets the drained bucket (RATE_LIMITED) unless the grants were small."""
        for attempt in ("first", "second"):
            self.grant_the_room_left(account)
            if not self.state.hub.alloc[(account, fz.ADVERSARY)]:
                hypothesis.event(f"{attempt} claim: nothing allocated")
                return
            self.claim_past_the_bucket(account, f"{attempt} claim")

    def grant_the_room_left(self, account: str) -> None:
        """Grant the account the room left under the adversary's cap, or half, or a quarter
        of it, whichever the account's capacity takes first."""
        hub = self.state.hub
        used = sum(hub.alloc[(a, fz.ADVERSARY)] for a in self.params.accounts)
        room = hub.caps[fz.ADVERSARY] - used
        for amount in (room, room // 2, room // 4):
            if amount <= 0:
                return
            grant = actions.GrantCredit(account=account, spoke=fz.ADVERSARY, amount=amount)
            if self.apply(grant).accepted:
                return

    def refill_buckets(self) -> None:
        """RATE-6: let time pass until every bucket is full again, then quote afresh."""
        waits = [
            -(-(s.rate_limit.capacity - self.state.hub.buckets[s.id]) // s.rate_limit.refill_per_s)
            for s in self.params.spokes
            if s.rate_limit is not None and s.rate_limit.refill_per_s > 0
        ]
        seconds = max([1, *waits])
        self.apply(actions.AdvanceTime(seconds=seconds))
        self.publish_everywhere(self.level)
