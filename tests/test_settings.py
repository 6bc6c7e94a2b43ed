"""Settings: precedence default < file < .env < env, bad values reported per key, secrets masked."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.settings import DEFAULT_CONFIG, ConfigError, Settings, load_settings, masked_dump


def _load(tmp_path: Path, toml: str | None = None, env: dict[str, str] | None = None, dotenv: str | None = None):
    config_file = None
    if toml is not None:
        config_file = tmp_path / "operator.toml"
        config_file.write_text(toml)
    env_file = tmp_path / ".env"
    if dotenv is not None:
        env_file.write_text(dotenv)
    return load_settings(config_file, env_file=env_file, environ=env or {})


def test_defaults_come_from_default_toml(tmp_path: Path) -> None:
    settings = _load(tmp_path)
    assert settings.discord.token is None
    assert settings.storage.path == Path("data/modbot.sqlite3")
    assert settings.discord.cogs[0] == "cogs.about"


def test_precedence_default_file_dotenv_env(tmp_path: Path) -> None:
    toml = '[logging]\nlevel = "WARNING"\nformat = "json"\n[discord]\ndev_guild_id = 1\n'
    assert _load(tmp_path, toml).logging.level == "WARNING"
    s = _load(tmp_path, toml, dotenv="MODBOT_LOGGING__LEVEL=ERROR\n")
    assert s.logging.level == "ERROR"
    assert s.logging.format == "json"  # untouched keys of the same section survive (deep merge)
    s = _load(tmp_path, toml, env={"MODBOT_LOGGING__LEVEL": "DEBUG"}, dotenv="MODBOT_LOGGING__LEVEL=ERROR\n")
    assert s.logging.level == "DEBUG"
    assert s.discord.dev_guild_id == 1


def test_config_file_from_env_var(tmp_path: Path) -> None:
    path = tmp_path / "op.toml"
    path.write_text("[storage]\npath = '/srv/modbot/db.sqlite3'\n")
    s = load_settings(env_file=None, environ={"MODBOT_CONFIG": str(path)})
    assert s.storage.path == Path("/srv/modbot/db.sqlite3")


def test_token_accepted_as_discord_token_and_masked(tmp_path: Path) -> None:
    s = _load(tmp_path, env={"DISCORD_TOKEN": "very-secret-token"})
    assert s.discord.token is not None and s.discord.token.get_secret_value() == "very-secret-token"
    assert "very-secret-token" not in str(masked_dump(s))
    assert "very-secret-token" not in repr(s)
    s = _load(tmp_path, env={"DISCORD_TOKEN": "plain", "MODBOT_DISCORD__TOKEN": "prefixed"})
    assert s.discord.token.get_secret_value() == "prefixed"
    s = _load(tmp_path, dotenv="DISCORD_TOKEN=from-dotenv\n")
    assert s.discord.token.get_secret_value() == "from-dotenv"


def test_bad_values_give_one_line_per_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _load(
            tmp_path,
            "[discord]\ndev_guild_id = 'abc'\ncolour = 'red'\n",
            env={"MODBOT_LOGGING__LEVEL": "LOUD", "MODBOT_DISCORD__TOKEN": "tok"},
        )
    problems = info.value.problems
    assert len(problems) == 3
    joined = "\n".join(problems)
    assert "discord.dev_guild_id = 'abc'" in joined
    assert "logging.level = 'LOUD'" in joined
    assert "discord.colour: unknown setting" in joined
    assert "tok" not in joined


def test_the_removed_test_scorer_setting_is_an_unknown_key(tmp_path: Path) -> None:
    """``moderation.scorer`` and ``keyword_test_words`` left the product (tests inject a scorer into ModBot)."""
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, "[moderation]\nscorer = 'keyword-test'\nkeyword_test_words = ['flagme']\n")
    problems = sorted(info.value.problems)
    assert len(problems) == 2
    assert problems[0].startswith("moderation.keyword_test_words: unknown setting")
    assert problems[1] == ("moderation.scorer: unknown setting (value 'keyword-test'); check the spelling against "
                           "config/default.toml")


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="invalid TOML"):
        _load(tmp_path, "[discord\n")
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml", env_file=None, environ={})


def _fields(model: type[BaseModel], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.update(_fields(annotation, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = field
    return out


def test_default_toml_documents_every_key_and_matches_model_defaults() -> None:
    """default.toml is the documented mirror of the models: every key there (set or commented out)."""
    text = DEFAULT_CONFIG.read_text()
    data = tomllib.loads(text)
    defaults = Settings().model_dump(mode="json")
    sections = {k for k in defaults}
    assert sections <= set(data), f"sections missing from default.toml: {sections - set(data)}"
    for dotted in _fields(Settings):
        section, key = dotted.split(".", 1)
        if key in data.get(section, {}):
            assert data[section][key] == defaults[section][key], f"{dotted}: default.toml and model disagree"
        else:
            assert f"# {key} =" in text, f"{dotted} is not documented in config/default.toml"
