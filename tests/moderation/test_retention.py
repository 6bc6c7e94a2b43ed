"""Retention: the pure rule and the UPDATE that applies it purge only closed cases past the cutoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.moderation import retention
from bot.moderation.cases import CaseRepository
from bot.moderation.scoring import Assessment
from bot.moderation.state import CLOSED_STATES, Action, CaseState

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def test_cutoff() -> None:
    assert retention.purge_cutoff(NOW, 30) == datetime(2024, 5, 2, tzinfo=UTC)


async def test_purges_only_old_closed_cases(db, snap) -> None:
    repo = CaseRepository(db)
    old_closed, _ = await repo.open(snap("old closed"), Assessment(True, evidence="old"))
    new_closed, _ = await repo.open(snap("new closed"), Assessment(True))
    old_open, _ = await repo.open(snap("old open"), Assessment(True), now=NOW - timedelta(days=90))
    for case, when in ((old_closed, NOW - timedelta(days=31)), (new_closed, NOW - timedelta(days=29))):
        await repo.try_lock(case.id, 1, Action.APPROVE)
        await repo.finish(case.id, 1, Action.APPROVE, CaseState.APPROVED, now=when)
    before = {c.id: retention.is_purgeable(await repo.get(c.id), NOW, 30) for c in (old_closed, new_closed, old_open)}
    assert before == {old_closed.id: True, new_closed.id: False, old_open.id: False}
    assert await retention.purge_closed_content(db, 30, now=NOW) == 1
    purged = await repo.get(old_closed.id)
    assert purged.content is None and purged.evidence is None and purged.content_purged_at == NOW
    assert not retention.is_purgeable(purged, NOW, 30)
    assert (await repo.get(new_closed.id)).content == "new closed"
    assert (await repo.get(old_open.id)).content == "old open"
    assert await retention.purge_closed_content(db, 30, now=NOW) == 0


@pytest.mark.parametrize("state", sorted(CLOSED_STATES, key=str))
def test_sql_state_list_matches_the_state_machine(state: CaseState) -> None:
    assert f"'{state.value}'" in retention._PURGE_SQL
