"""bot.overrides: one rule for "this config section with these fields replaced, validated again"."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.analysis.config import PolicyConfig
from bot.articles.config import SummariesConfig
from bot.guildconf import apply_overrides as exported
from bot.overrides import apply_overrides


def test_no_overrides_returns_the_same_object() -> None:
    base = PolicyConfig()
    assert apply_overrides(base, {}) is base and apply_overrides(base, None) is base
    assert base.merged({}) is base and base.merged(None) is base


def test_overrides_make_a_validated_copy_of_the_same_type() -> None:
    base = PolicyConfig()
    changed = apply_overrides(base, {"partisan_threshold": 0.5})
    assert type(changed) is PolicyConfig and changed.partisan_threshold == 0.5
    assert changed is not base and base == PolicyConfig()
    assert changed == base.merged({"partisan_threshold": 0.5})
    assert type(apply_overrides(SummariesConfig(), {})) is SummariesConfig


def test_bad_values_and_unknown_keys_raise() -> None:
    with pytest.raises(ValidationError):
        apply_overrides(PolicyConfig(), {"partisan_threshold": 2})
    with pytest.raises(ValidationError):
        PolicyConfig().merged({"no_such_key": 1})


def test_guildconf_uses_the_same_function() -> None:
    assert exported is apply_overrides
