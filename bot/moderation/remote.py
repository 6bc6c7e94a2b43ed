"""The scoring worker's core (``modbot worker``): score a batch of queued messages, open or update their cases.

Written for redelivery: a worker may die after its commit but before its acknowledgement, and the same message is
then scored again by another worker. :meth:`CaseRepository.open` is idempotent by the message's unique key, so a
message never gets two cases; ``case.open`` is audited by whoever created the case (or, when a redelivered
message finds its case without that entry, once then); the gateway's announcement of a notice is idempotent too
(:meth:`bot.moderation.review.Review.announce_notice`). The transport (acknowledging, dead letters) is the caller's
(:mod:`bot.cluster.worker`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.moderation.assessing import assess_isolated
from bot.moderation.audit import AuditRepository, record_case_open
from bot.moderation.cases import CaseRepository
from bot.moderation.per_guild import PerGuild
from bot.moderation.queueing import CaseNotice, ScoreJob
from bot.moderation.scoring import Assessment, MessageScorer

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    """What became of a batch: ``done`` entries are committed (acknowledge them), ``failed`` ones could not be
    scored or stored (entry id -> exception type; left unacknowledged, they are delivered again), ``notices`` go
    to the gateways, ``latencies`` are seconds from enqueue to commit of each done entry."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    notices: list[CaseNotice] = field(default_factory=list)
    opened: int = 0  # cases this batch created
    latencies: list[float] = field(default_factory=list)


class RemoteScoring:
    """Scores jobs with each guild's policy and stores their cases (no transport, no Discord)."""

    def __init__(self, cases: CaseRepository, audit: AuditRepository, per_guild: PerGuild,
                 scorer: MessageScorer | None) -> None:
        self.cases = cases
        self.audit = audit
        self.per_guild = per_guild
        self.scorer = scorer

    async def process(self, jobs: Sequence[ScoreJob]) -> BatchResult:
        """Score ``jobs`` in one scorer call per guild (a failing message fails alone) and store the cases."""
        result = BatchResult()
        if not jobs:
            return result
        assessments = await assess_isolated(self.scorer, self.per_guild, [job.message for job in jobs])
        for job, assessment in zip(jobs, assessments, strict=True):
            try:
                if isinstance(assessment, Exception):
                    raise assessment
                notice, created = await (self._edit(job, assessment) if job.edit else self._new(job, assessment))
            except Exception as exc:
                log.debug("job %s (message %d) failed", job.entry_id, job.message.message_id, exc_info=exc)
                result.failed[job.entry_id] = type(exc).__name__
                continue
            result.done.append(job.entry_id)
            if job.enqueued_at:
                result.latencies.append(max(0.0, time.time() - job.enqueued_at))
            result.opened += created
            if notice is not None:
                result.notices.append(notice)
        return result

    async def _new(self, job: ScoreJob, assessment: Assessment) -> tuple[CaseNotice | None, bool]:
        """A new message: a flagged one gets its case (once, whoever scores it first). Returns the notice and
        whether this call created the case."""
        if not assessment.flagged:
            return None, False
        message = job.message
        case, created = await self.cases.open(message, assessment, source="listener")
        if created:
            await record_case_open(self.audit, case)
            return CaseNotice(case.guild_id, case.id, "opened"), True
        if case.source == "automod" and not case.flagged:  # AutoMod's case came first: add the verdict
            case = await self.cases.add_verdict(case, assessment)
            return CaseNotice(case.guild_id, case.id, "edited"), False
        if job.deliveries > 1 and not any(e.action == "case.open" for e in await self.audit.for_case(case.id)):
            await record_case_open(self.audit, case)  # the worker that created it died before auditing
        return CaseNotice(case.guild_id, case.id, "opened"), False  # its first notice may be lost with its worker

    async def _edit(self, job: ScoreJob, assessment: Assessment) -> tuple[CaseNotice | None, bool]:
        """An edited message: update its case, or open one when the edit is flagged."""
        message = job.message
        existing = await self.cases.get_by_message(message.message_id)
        if existing is None:
            return await self._new(job, assessment)
        updated = await self.cases.update_snapshot(message.message_id, message.content, assessment)
        if updated is None or updated.updated_at == existing.updated_at:
            return None, False
        await self.audit.record("case.edited", guild_id=updated.guild_id, actor_id=None, case_id=updated.id,
                                detail={"flagged": assessment.flagged, "state": updated.state.value})
        return CaseNotice(updated.guild_id, updated.id, "edited"), False
