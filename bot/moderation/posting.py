"""Card posting under bursts: one worker per mod channel, paced, grouping a backlog into digest messages.

A case is always stored before it is queued here; if a post fails the case keeps ``card_message_id`` NULL, the
worker retries later, and at start the reconciler re-queues whatever is still unannounced.

Burst policy (moderators can always act from the channel):

1. Posts are paced at ``cards_per_minute``; Discord's 429s are retried by discord.py, failures by this worker.
2. When more than ``digest_threshold`` cases wait, the waiting cases are announced at once by digest messages
   ("N new cases (#a–#b) — use /queue ..."), except **high-severity cases: they always get their own card**, first.
3. Once nothing new waits (the burst has passed), every digested case that is still open gets its own card too
   ("follow-up" cards, oldest first, same pace). New cases always go before follow-ups. Follow-ups left when the
   bot stops are found again at start (open, digested, no card yet).
4. Alerts (:mod:`bot.moderation.alerts`, per guild, read at each post): a new case's card pings the role of its
   severity, a digest the roles of the severities it lists; follow-ups never ping. In quiet mode a case gets no
   card: it is *held* and listed in one digest every ``quiet_digest_minutes`` (no follow-up cards either). Held
   cases are stored and unannounced, so after a restart the reconciler queues them again and nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from bot.moderation.alerts import NO_ALERTS, AlertPolicy, PolicyFor
from bot.moderation.cards import chunk_for_digest
from bot.moderation.cases import CaseRepository
from bot.moderation.models import Case
from bot.moderation.ports import CardPublisher
from bot.moderation.tasks import StopSignal, finish

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
URGENT_SEVERITIES = frozenset({"high"})  # never folded into a burst digest
QUIET_DIGEST_MAX = 40  # cases listed in one quiet-mode digest message


class CardPostQueue:
    """The card worker of one mod channel."""

    def __init__(
        self,
        channel_id: int,
        cases: CaseRepository,
        publisher: CardPublisher,
        *,
        digest_threshold: int = 10,
        per_minute: int = 30,
        retry_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        policy: PolicyFor = lambda _guild_id: NO_ALERTS,
    ) -> None:
        self.channel_id = channel_id
        self._cases = cases
        self._publisher = publisher
        self._digest_threshold = digest_threshold
        self._interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._policy = policy
        self._held: dict[int, None] = {}  # quiet mode: cases waiting for the next quiet digest, oldest first
        self._quiet_at: float | None = None  # when the next quiet digest is due (clock time)
        self._pending: dict[int, int] = {}  # case id -> failed attempts, insertion ordered
        self._urgent: set[int] = set()  # pending high-severity cases: own card, first
        self._followups: dict[int, int] = {}  # digested cases still owed their own card -> failed attempts
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._open = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = StopSignal()
        self._last_post = float("-inf")
        self.cards_posted = 0
        self.digests_posted = 0
        self.followups_posted = 0
        self.failures = 0

    def enqueue(self, case_id: int, *, urgent: bool = False) -> None:
        """Queue a case for a card (idempotent); ``urgent`` (high severity) cases are never put in a digest."""
        if case_id not in self._pending:
            self._pending[case_id] = 0
        if urgent:
            self._urgent.add(case_id)
        self._idle.clear()
        self._wakeup.set()

    def start(self) -> None:
        """Start the worker task (posting waits until :meth:`open_gate`)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"modbot-cards-{self.channel_id}")

    def open_gate(self) -> None:
        """Allow posting (called once the start-up reconciliation has recorded what was already posted)."""
        self._open.set()

    async def stop(self) -> None:
        """Stop the worker after the post in progress; queued cases stay stored and unannounced."""
        self._stopping.set()
        self._wakeup.set()
        task, self._task = self._task, None
        await finish(task)

    async def wait_idle(self) -> None:
        """Wait until nothing is queued (wrap in ``asyncio.timeout`` to bound it)."""
        await self._idle.wait()

    async def _pace(self) -> None:
        if self._interval <= 0:
            return
        wait = self._last_post + self._interval - self._clock()
        if wait > 0:
            await self._stopping.sleep(wait)

    async def _run(self) -> None:
        gate = asyncio.ensure_future(self._open.wait())
        stop = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({gate, stop}, return_when=asyncio.FIRST_COMPLETED)
        gate.cancel()
        stop.cancel()
        await self._load_followups()
        while not self._stopping.is_set:
            if not self._pending and not self._followups and not self._quiet_due():
                if not self._held:
                    self._idle.set()
                self._wakeup.clear()
                await self._sleep_until_wakeup()
                continue
            await self._pace()
            if self._stopping.is_set:
                break
            try:
                await self._post_next()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # HTTPException, network errors, anything: never crash the worker
                self.failures += 1
                log.warning("card post to channel %s failed (%s); retrying in %.0fs", self.channel_id, exc,
                            self._retry_seconds)
                await self._stopping.sleep(self._retry_seconds)

    async def _load_followups(self) -> None:
        """Digested cases of this channel that were still owed their own card when the bot last stopped."""
        if self._stopping.is_set:
            return
        try:
            for case_id in await self._cases.awaiting_card(self.channel_id):
                self._followups.setdefault(case_id, 0)
        except Exception:
            log.exception("could not read the digested cases still waiting for a card")

    async def _sleep_until_wakeup(self) -> None:
        """Until something is queued, or the next quiet digest is due."""
        if self._quiet_at is None:
            await self._wakeup.wait()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), max(0.0, self._quiet_at - self._clock()))

    def _quiet_due(self) -> bool:
        return bool(self._held) and self._quiet_at is not None and self._clock() >= self._quiet_at

    def _policy_of(self, case: Case) -> AlertPolicy:
        return self._policy(case.guild_id)

    def _hold(self, case: Case, policy: AlertPolicy) -> None:
        """Quiet mode: list the case in the next quiet digest instead of posting its card."""
        if not self._held:
            self._quiet_at = self._clock() + policy.quiet_seconds
        self._held[case.id] = None
        self._drop(case.id)

    async def _post_next(self) -> None:
        if not self._pending and self._quiet_due():
            await self._post_quiet_digests()
            return
        if not self._pending:
            await self._post_followup(next(iter(self._followups)))
            return
        ids = list(self._pending)
        if self._digest_threshold and len(ids) > self._digest_threshold and await self._post_digests(ids):
            return
        if not self._pending:
            return
        case_id = next((i for i in self._pending if i in self._urgent), next(iter(self._pending)))
        case = await self._cases.get(case_id)
        if case is None or not case.is_open or case.announced:
            self._drop(case_id)
            return
        policy = self._policy_of(case)
        if policy.quiet:
            self._hold(case, policy)
            return
        try:
            message_id = await self._publisher.post_card(
                self.channel_id, case, mention_roles=policy.pings(case.guild_id, [case.severity]))
        except Exception:
            self._note_failure(case_id)
            raise
        finally:
            self._last_post = self._clock()
        await self._cases.set_card(case_id, self.channel_id, message_id)
        self._drop(case_id)
        self.cards_posted += 1
        await self._catch_up_card(case)

    async def _post_followup(self, case_id: int) -> None:
        """The own card of a case a digest announced (skipped once decided or carded)."""
        case = await self._cases.get(case_id)
        if case is None or not case.is_open or case.card_message_id is not None or self._policy_of(case).quiet:
            self._followups.pop(case_id, None)  # decided, carded, or quiet mode (its digest was the announcement)
            return
        try:
            message_id = await self._publisher.post_card(self.channel_id, case)
        except Exception:
            attempts = self._followups.pop(case_id, 0) + 1
            if attempts < MAX_ATTEMPTS:
                self._followups[case_id] = attempts
            raise
        finally:
            self._last_post = self._clock()
        await self._cases.set_card(case_id, self.channel_id, message_id)
        self._followups.pop(case_id, None)
        self.followups_posted += 1
        await self._catch_up_card(case)

    async def _catch_up_card(self, posted: Case) -> None:
        """A change made while the card was being posted (an AutoMod hit joining, an edit) found no card to
        refresh: re-render the card now if the case differs from what was posted."""
        fresh = await self._cases.get(posted.id)
        if fresh is None:
            return
        same = replace(fresh, card_channel_id=posted.card_channel_id, card_message_id=posted.card_message_id,
                       digest_message_id=posted.digest_message_id) == posted
        if not same:
            try:
                await self._publisher.refresh_card(fresh)
            except Exception as exc:  # the next change refreshes it again; never stop the worker for this
                log.warning("could not update the card of case #%d: %s", posted.id, exc)

    async def _post_digests(self, ids: list[int]) -> bool:
        """Announce the waiting non-urgent cases in digests; False when none was left to digest."""
        live: list[int] = []
        severities: dict[int, str] = {}
        guild_id = 0
        for case_id in ids:
            if case_id in self._urgent:
                continue
            case = await self._cases.get(case_id)
            if case is None or not case.is_open or case.announced:
                self._drop(case_id)
            elif (policy := self._policy_of(case)).quiet:
                self._hold(case, policy)
            elif case.severity in URGENT_SEVERITIES:
                self._urgent.add(case_id)
            else:
                live.append(case_id)
                severities[case_id], guild_id = case.severity, case.guild_id
        if not live:
            return False
        for chunk in chunk_for_digest(live):
            pings = self._policy(guild_id).pings(guild_id, [severities[i] for i in chunk])
            try:
                message_id = await self._publisher.post_digest(self.channel_id, chunk, mention_roles=pings)
            except Exception:
                for case_id in chunk:
                    self._note_failure(case_id)
                raise
            finally:
                self._last_post = self._clock()
            await self._cases.set_digest(chunk, self.channel_id, message_id)
            for case_id in chunk:
                self._drop(case_id)
                self._followups.setdefault(case_id, 0)
            self.digests_posted += 1
            await self._pace()
        return True

    async def _post_quiet_digests(self) -> None:
        """Quiet mode: list every held case that is still open and unannounced, in as few messages as fit."""
        live: list[Case] = []
        for case_id in list(self._held):
            case = await self._cases.get(case_id)
            if case is None or not case.is_open or case.announced:
                self._held.pop(case_id, None)
            else:
                live.append(case)
        by_id = {case.id: case for case in live}
        for ids in chunk_for_digest([case.id for case in live]):
            for start in range(0, len(ids), QUIET_DIGEST_MAX):
                chunk = [by_id[i] for i in ids[start:start + QUIET_DIGEST_MAX]]
                guild_id = chunk[0].guild_id
                pings = self._policy(guild_id).pings(guild_id, [case.severity for case in chunk])
                try:
                    message_id = await self._publisher.post_quiet_digest(self.channel_id, chunk, mention_roles=pings)
                finally:
                    self._last_post = self._clock()
                await self._cases.set_digest([case.id for case in chunk], self.channel_id, message_id)
                for case in chunk:
                    self._held.pop(case.id, None)
                self.digests_posted += 1
                await self._pace()
        self._quiet_at = None if not self._held else self._quiet_at

    def _drop(self, case_id: int) -> None:
        self._pending.pop(case_id, None)
        self._urgent.discard(case_id)

    def _note_failure(self, case_id: int) -> None:
        attempts = self._pending.pop(case_id, 0) + 1
        if attempts < MAX_ATTEMPTS:
            self._pending[case_id] = attempts  # back of the line
        else:
            self._urgent.discard(case_id)
            log.error("giving up posting case #%d for now; the reconciler will retry at next start", case_id)
