"""Discord's documented limits, checked on every payload the bot sends; violations become 400 / 50035."""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, FieldError, invalid_form_body

CONTENT_MAX = 2000
MEMBER_CONTENT_MAX = 4000  # what a member with Nitro may post (bots: CONTENT_MAX)
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ROWS_MAX = 5
ROW_WIDTH_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_PLACEHOLDER_MAX = 150
OPTION_TEXT_MAX = 100
V2_COMPONENTS_MAX = 40
MODAL_TITLE_MAX = 45
CHOICES_MAX = 25
COMPONENTS_V2_FLAG = 1 << 15
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")

SELECT_TYPES = (3, 5, 6, 7, 8)


def _too_long(path: str, limit: int) -> FieldError:
    return FieldError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _check_len(problems: list[FieldError], path: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append(_too_long(path, limit))


def embed_length(embed: dict[str, Any]) -> int:
    """Characters Discord counts towards the 6,000 total of one embed."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    return total


def check_embeds(problems: list[FieldError], embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > EMBEDS_MAX:
        problems.append(_too_long("embeds", EMBEDS_MAX))
    for i, embed in enumerate(embeds):
        p = f"embeds.{i}"
        _check_len(problems, f"{p}.title", embed.get("title"), EMBED_TITLE_MAX)
        _check_len(problems, f"{p}.description", embed.get("description"), EMBED_DESCRIPTION_MAX)
        _check_len(problems, f"{p}.footer.text", (embed.get("footer") or {}).get("text"), EMBED_FOOTER_MAX)
        _check_len(problems, f"{p}.author.name", (embed.get("author") or {}).get("name"), EMBED_AUTHOR_MAX)
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            problems.append(_too_long(f"{p}.fields", EMBED_FIELDS_MAX))
        for j, f in enumerate(fields):
            if not f.get("name") or not f.get("value"):
                problems.append(FieldError(f"{p}.fields.{j}", "BASE_TYPE_REQUIRED", "This field is required"))
            _check_len(problems, f"{p}.fields.{j}.name", f.get("name"), EMBED_FIELD_NAME_MAX)
            _check_len(problems, f"{p}.fields.{j}.value", f.get("value"), EMBED_FIELD_VALUE_MAX)
    if sum(embed_length(e) for e in embeds) > EMBED_TOTAL_MAX:
        problems.append(FieldError("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"))


def _check_leaf(problems: list[FieldError], path: str, c: dict[str, Any], seen: set[str]) -> None:
    custom_id = c.get("custom_id")
    if custom_id is not None:
        _check_len(problems, f"{path}.custom_id", custom_id, CUSTOM_ID_MAX)
        if custom_id in seen:
            problems.append(FieldError(f"{path}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED",
                                       "Component custom id cannot be duplicated"))
        seen.add(custom_id)
    if c.get("type") == 2:
        _check_len(problems, f"{path}.label", c.get("label"), BUTTON_LABEL_MAX)
        if c.get("style") == 5:
            if not c.get("url") or custom_id is not None:
                problems.append(FieldError(path, "BUTTON_COMPONENT_INVALID_URL", "Link buttons need a url only"))
        elif c.get("style") != 6 and custom_id is None:
            problems.append(FieldError(f"{path}.custom_id", "BASE_TYPE_REQUIRED", "This field is required"))
    if c.get("type") in SELECT_TYPES:
        _check_len(problems, f"{path}.placeholder", c.get("placeholder"), SELECT_PLACEHOLDER_MAX)
        options = c.get("options") or []
        if c.get("type") == 3 and not 1 <= len(options) <= SELECT_OPTIONS_MAX:
            problems.append(FieldError(f"{path}.options", "BASE_TYPE_BAD_LENGTH",
                                       "Must be between 1 and 25 in length."))
        for k, opt in enumerate(options):
            for key in ("label", "value", "description"):
                _check_len(problems, f"{path}.options.{k}.{key}", opt.get(key), OPTION_TEXT_MAX)


def check_components(problems: list[FieldError], components: list[dict[str, Any]], flags: int = 0) -> None:
    """Classic rows (5 rows x 5 buttons or 1 select) or, with the IS_COMPONENTS_V2 flag, the 40-item budget."""
    seen: set[str] = set()
    if flags & COMPONENTS_V2_FLAG:
        count = 0

        def walk(items: list[dict[str, Any]], prefix: str) -> None:
            nonlocal count
            for i, c in enumerate(items):
                count += 1
                path = f"{prefix}.{i}"
                _check_leaf(problems, path, c, seen)
                walk(c.get("components") or [], f"{path}.components")
                if "accessory" in c:
                    walk([c["accessory"]], f"{path}.accessory")

        walk(components, "components")
        if count > V2_COMPONENTS_MAX:
            problems.append(_too_long("components", V2_COMPONENTS_MAX))
        return
    if len(components) > ROWS_MAX:
        problems.append(_too_long("components", ROWS_MAX))
    for i, row in enumerate(components):
        path = f"components.{i}"
        if row.get("type") != 1:
            problems.append(FieldError(f"{path}.type", "UNION_TYPE_CHOICES", "Top-level components must be rows"))
            continue
        children = row.get("components") or []
        has_select = any(c.get("type") in SELECT_TYPES for c in children)
        if not children or len(children) > ROW_WIDTH_MAX or (has_select and len(children) > 1):
            problems.append(FieldError(f"{path}.components", "BASE_TYPE_BAD_LENGTH",
                                       "Must be between 1 and 5 in length (a select fills a whole row)."))
        for j, c in enumerate(children):
            _check_leaf(problems, f"{path}.components.{j}", c, seen)


def check_message(payload: dict[str, Any], *, has_files: bool = False, editing: bool = False,
                  content_max: int = CONTENT_MAX) -> None:
    """Validate a create/edit message payload; raise 50035 (or 50006 for an empty message)."""
    problems: list[FieldError] = []
    content = payload.get("content")
    _check_len(problems, "content", content, content_max)
    embeds = payload.get("embeds") or []
    if "embed" in payload and payload["embed"]:
        embeds = [payload["embed"], *embeds]
    check_embeds(problems, embeds)
    flags = int(payload.get("flags") or 0)
    check_components(problems, payload.get("components") or [], flags)
    allowed = payload.get("allowed_mentions") or {}
    for kind in ("roles", "users"):  # Discord: a parse type and an explicit id list for it are exclusive
        if kind in (allowed.get("parse") or []) and allowed.get(kind):
            problems.append(FieldError(f"allowed_mentions.{kind}", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                                       f"parse:[\"{kind}\"] and {kind}: [ids] are mutually exclusive."))
    if len(allowed.get("roles") or []) > 100:
        problems.append(FieldError("allowed_mentions.roles", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer."))
    if flags & COMPONENTS_V2_FLAG and (content or embeds):
        problems.append(FieldError("content", "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                                   "content and embeds cannot be used with IS_COMPONENTS_V2"))
    if problems:
        raise invalid_form_body(problems)
    empty = not content and not embeds and not has_files and not payload.get("components") \
        and not payload.get("sticker_ids") and not payload.get("poll") and not payload.get("attachments")
    if empty and not editing:
        raise ApiError(400, 50006, "Cannot send an empty message")


def check_modal(data: dict[str, Any]) -> None:
    problems: list[FieldError] = []
    _check_len(problems, "data.title", data.get("title"), MODAL_TITLE_MAX)
    _check_len(problems, "data.custom_id", data.get("custom_id"), CUSTOM_ID_MAX)
    components = data.get("components") or []
    if not 1 <= len(components) <= ROWS_MAX:
        problems.append(FieldError("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."))
    seen: set[str] = set()
    for i, c in enumerate(components):
        inner = c.get("components") or ([c["component"]] if "component" in c else [])
        for j, leaf in enumerate(inner):
            _check_leaf(problems, f"data.components.{i}.components.{j}", leaf, seen)
    if problems:
        raise invalid_form_body(problems)


def check_choices(choices: list[dict[str, Any]]) -> None:
    problems: list[FieldError] = []
    if len(choices) > CHOICES_MAX:
        problems.append(_too_long("data.choices", CHOICES_MAX))
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= OPTION_TEXT_MAX:
            problems.append(FieldError(f"data.choices.{i}.name", "BASE_TYPE_BAD_LENGTH",
                                       "Must be between 1 and 100 in length."))
        _check_len(problems, f"data.choices.{i}.value", choice.get("value"), OPTION_TEXT_MAX)
    if problems:
        raise invalid_form_body(problems)


def check_command(cmd: dict[str, Any], index: int) -> list[FieldError]:
    """Problems in one application command definition (name, description, options, choices, order)."""
    problems: list[FieldError] = []
    path = str(index)
    type_ = cmd.get("type", 1)
    name = cmd.get("name") or ""
    if type_ == 1 and (not COMMAND_NAME.match(name) or name != name.lower()):
        problems.append(FieldError(f"{path}.name", "APPLICATION_COMMAND_INVALID_NAME", f"Invalid name {name!r}"))
    if type_ == 1:
        _check_len(problems, f"{path}.description", cmd.get("description"), 100)

    def walk(options: list[dict[str, Any]], prefix: str) -> None:
        if len(options) > 25:
            problems.append(_too_long(prefix, 25))
        optional_seen = False
        for i, opt in enumerate(options):
            p = f"{prefix}.{i}"
            if not COMMAND_NAME.match(opt.get("name") or ""):
                problems.append(FieldError(f"{p}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name"))
            _check_len(problems, f"{p}.description", opt.get("description"), 100)
            if len(opt.get("choices") or []) > CHOICES_MAX:
                problems.append(_too_long(f"{p}.choices", CHOICES_MAX))
            if opt.get("required") and optional_seen:
                problems.append(FieldError(f"{p}.required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                           "Required options must be placed before non-required options"))
            optional_seen = optional_seen or (not opt.get("required") and opt.get("type") not in (1, 2))
            walk(opt.get("options") or [], f"{p}.options")

    walk(cmd.get("options") or [], f"{path}.options")
    return problems
