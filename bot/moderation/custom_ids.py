"""Every custom_id modbot puts on a card component or a dialog, built and parsed here into typed fields.

The grammar (``<id>`` is a positive SQLite INTEGER, at most :data:`MAX_ID`; Discord snowflakes fit in it too):

- ``modbot:case:<case_id>:<action>``: a case card button (an :class:`Action` value) -> :class:`CaseButtonId`;
- ``modbot:case:<case_id>:timeout_pick``: the Timeout duration select -> :class:`TimeoutPickId`;
- ``modbot:warn:<case_id>`` (older ``modbot:warn:<case_id>:<nonce>`` too): the Warn dialog -> :class:`WarnDialogId`;
- ``modbot:report:<channel_id>:<message_id>``: a member's Report dialog -> :class:`ReportDialogId`;
- ``modbot:report:<message_id>``: a Report dialog of an older version, which kept the message in memory
  -> :class:`ExpiredReportDialogId` (it cannot be answered any more);
- ``modbot:queue:<page>:<channel_id or 0>:<label>`` (``:appeals`` at the end: the appeals list): a ``/queue``
  page button, its filters included -> :class:`QueuePageId`;
- ``modbot:case:<case_id>:ladder:<minutes>``: the ladder's suggested timeout on a card -> :class:`LadderButtonId`;
- ``modbot:case:<case_id>:appeals:<on|off>``: allow or forbid appeals of the decision -> :class:`AppealsToggleId`;
- ``modbot:appeal:<case_id>``: the member's Appeal button in a notice DM -> :class:`AppealButtonId`;
- ``modbot:appeal:<case_id>:text``: the member's Appeal dialog -> :class:`AppealDialogId`;
- ``modbot:appeal:<case_id>:<accept|deny>``: a moderator's answer to an appeal -> :class:`AppealDecisionId`.

A client can send any custom_id. :func:`parse_custom_id` returns None for one that is not modbot's (an unknown
prefix or action) and raises :class:`IdOutOfRange` for one of modbot's shapes whose id no row can have. The
``*_TEMPLATE`` strings are the same shapes without anchors, for ``discord.ui.DynamicItem`` templates (which
discord.py full-matches); each class's ``from_match`` reads such a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.moderation.state import Action

MAX_ID = 2**63 - 1  # ids are SQLite INTEGERs (and Discord snowflakes fit in 63 bits)

# ids are ASCII digits ([0-9]: a bare \d would take other scripts' digits too)
_ACTIONS = "|".join(re.escape(action.value) for action in Action)
CASE_BUTTON_TEMPLATE = rf"modbot:case:(?P<case_id>[0-9]+):(?P<action>{_ACTIONS})"
TIMEOUT_PICK_TEMPLATE = r"modbot:case:(?P<case_id>[0-9]+):timeout_pick"
WARN_DIALOG_TEMPLATE = r"modbot:warn:(?P<case_id>[0-9]+)(?::[0-9]+)?"
REPORT_DIALOG_TEMPLATE = r"modbot:report:(?P<channel_id>[0-9]+):(?P<message_id>[0-9]+)"
EXPIRED_REPORT_TEMPLATE = r"modbot:report:(?P<message_id>[0-9]+)"
QUEUE_PAGE_TEMPLATE = (r"modbot:queue:(?P<page>[0-9]+):(?P<channel_id>[0-9]+):(?P<label>[A-Za-z0-9_.\- ]*)"
                       r"(?P<appeals>:appeals)?")
LADDER_BUTTON_TEMPLATE = r"modbot:case:(?P<case_id>[0-9]+):ladder:(?P<minutes>[0-9]{1,6})"
APPEALS_TOGGLE_TEMPLATE = r"modbot:case:(?P<case_id>[0-9]+):appeals:(?P<setting>on|off)"
APPEAL_BUTTON_TEMPLATE = r"modbot:appeal:(?P<case_id>[0-9]+)"
APPEAL_DIALOG_TEMPLATE = r"modbot:appeal:(?P<case_id>[0-9]+):text"
APPEAL_DECISION_TEMPLATE = r"modbot:appeal:(?P<case_id>[0-9]+):(?P<answer>accept|deny)"
MAX_MINUTES = 40320  # Discord's longest timeout (28 days)
LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9_.\- ]")
"""What a label filter may not hold in a custom_id (labels are ASCII words; anything else is dropped)."""
LABEL_MAX = 40
MAX_PAGE = 10_000


def id_in_range(value: int) -> bool:
    """True for an id a SQLite INTEGER primary key (or a Discord snowflake) can have."""
    return 0 < value <= MAX_ID


class IdOutOfRange(ValueError):
    """One of modbot's custom_id shapes, with an id no row can have (forged, or not modbot's)."""

    def __init__(self, kind: str, value: int) -> None:
        super().__init__(f"{kind} custom_id with an out-of-range id")
        self.kind = kind
        self.value = value


def _id(match: re.Match[str], group: str, kind: str) -> int:
    value = int(match[group])
    if not id_in_range(value):
        raise IdOutOfRange(kind, value)
    return value


@dataclass(frozen=True)
class CaseButtonId:
    """A case card button: which case, which action."""

    case_id: int
    action: Action

    @property
    def custom_id(self) -> str:
        """``modbot:case:<case_id>:<action>``."""
        return f"modbot:case:{self.case_id}:{self.action.value}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> CaseButtonId:
        """From a match of :data:`CASE_BUTTON_TEMPLATE` (raises :class:`IdOutOfRange`)."""
        return cls(_id(match, "case_id", "case"), Action(match["action"]))


@dataclass(frozen=True)
class TimeoutPickId:
    """The Timeout duration select of a case."""

    case_id: int

    @property
    def custom_id(self) -> str:
        """``modbot:case:<case_id>:timeout_pick``."""
        return f"modbot:case:{self.case_id}:timeout_pick"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> TimeoutPickId:
        """From a match of :data:`TIMEOUT_PICK_TEMPLATE` (raises :class:`IdOutOfRange`)."""
        return cls(_id(match, "case_id", "case"))


@dataclass(frozen=True)
class WarnDialogId:
    """The Warn dialog of a case."""

    case_id: int

    @property
    def custom_id(self) -> str:
        """``modbot:warn:<case_id>``."""
        return f"modbot:warn:{self.case_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> WarnDialogId:
        """From a match of :data:`WARN_DIALOG_TEMPLATE` (raises :class:`IdOutOfRange`)."""
        return cls(_id(match, "case_id", "warn"))


@dataclass(frozen=True)
class ReportDialogId:
    """A member's Report dialog of one message."""

    channel_id: int
    message_id: int

    @property
    def custom_id(self) -> str:
        """``modbot:report:<channel_id>:<message_id>``."""
        return f"modbot:report:{self.channel_id}:{self.message_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> ReportDialogId:
        """From a match of :data:`REPORT_DIALOG_TEMPLATE` (raises :class:`IdOutOfRange`)."""
        return cls(_id(match, "channel_id", "report"), _id(match, "message_id", "report"))


@dataclass(frozen=True)
class ExpiredReportDialogId:
    """A Report dialog opened by an older version (only the message id: it cannot be filed any more)."""

    message_id: int

    @property
    def custom_id(self) -> str:
        """``modbot:report:<message_id>``."""
        return f"modbot:report:{self.message_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> ExpiredReportDialogId:
        """From a match of :data:`EXPIRED_REPORT_TEMPLATE` (raises :class:`IdOutOfRange`)."""
        return cls(_id(match, "message_id", "report"))


@dataclass(frozen=True)
class QueuePageId:
    """A ``/queue`` page button: the page to show and the filters (0 / empty: none)."""

    page: int
    channel_id: int = 0
    label: str = ""
    appeals: bool = False

    @classmethod
    def make(cls, page: int, channel_id: int | None, label: str | None, *, appeals: bool = False) -> QueuePageId:
        """Clamp the page to 0..:data:`MAX_PAGE` and keep only what a label may hold."""
        return cls(min(max(page, 0), MAX_PAGE), channel_id or 0, safe_label(label or ""), appeals)

    @property
    def custom_id(self) -> str:
        """``modbot:queue:<page>:<channel_id>:<label>`` (``:appeals`` appended for the appeals list)."""
        return f"modbot:queue:{self.page}:{self.channel_id}:{self.label}" + (":appeals" if self.appeals else "")

    @classmethod
    def from_match(cls, match: re.Match[str]) -> QueuePageId:
        """From a match of :data:`QUEUE_PAGE_TEMPLATE` (raises :class:`IdOutOfRange` for a channel id)."""
        channel_id = int(match["channel_id"])
        if channel_id:
            channel_id = _id(match, "channel_id", "channel")
        digits = match["page"].lstrip("0") or "0"
        return cls.make(int(digits) if len(digits) <= 6 else MAX_PAGE, channel_id, match["label"],
                        appeals=bool(match["appeals"]))


@dataclass(frozen=True)
class LadderButtonId:
    """The strike ladder's suggested timeout on a case card: which case, how many minutes."""

    case_id: int
    minutes: int

    @property
    def custom_id(self) -> str:
        """``modbot:case:<case_id>:ladder:<minutes>``."""
        return f"modbot:case:{self.case_id}:ladder:{self.minutes}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> LadderButtonId:
        """From a match of :data:`LADDER_BUTTON_TEMPLATE` (raises :class:`IdOutOfRange`, minutes 1-40320 too)."""
        minutes = int(match["minutes"])
        if not 0 < minutes <= MAX_MINUTES:
            raise IdOutOfRange("ladder step", minutes)
        return cls(_id(match, "case_id", "case"), minutes)


@dataclass(frozen=True)
class AppealsToggleId:
    """A card button that allows (``on``) or forbids (``off``) appeals of the case's coming decision."""

    case_id: int
    appealable: bool

    @property
    def custom_id(self) -> str:
        """``modbot:case:<case_id>:appeals:<on|off>``."""
        return f"modbot:case:{self.case_id}:appeals:{'on' if self.appealable else 'off'}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> AppealsToggleId:
        """From a match of :data:`APPEALS_TOGGLE_TEMPLATE` (raises :class:`IdOutOfRange`)."""
        return cls(_id(match, "case_id", "case"), match["setting"] == "on")


@dataclass(frozen=True)
class AppealButtonId:
    """The Appeal button in the notice DM a member gets about a decision."""

    case_id: int

    @property
    def custom_id(self) -> str:
        """``modbot:appeal:<case_id>``."""
        return f"modbot:appeal:{self.case_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> AppealButtonId:
        """From a match of :data:`APPEAL_BUTTON_TEMPLATE` (raises :class:`IdOutOfRange`)."""
        return cls(_id(match, "case_id", "case"))


@dataclass(frozen=True)
class AppealDialogId:
    """The member's Appeal dialog of a case."""

    case_id: int

    @property
    def custom_id(self) -> str:
        """``modbot:appeal:<case_id>:text``."""
        return f"modbot:appeal:{self.case_id}:text"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> AppealDialogId:
        """From a match of :data:`APPEAL_DIALOG_TEMPLATE` (raises :class:`IdOutOfRange`)."""
        return cls(_id(match, "case_id", "appeal"))


@dataclass(frozen=True)
class AppealDecisionId:
    """A moderator's Accept or Deny button on an appealed case."""

    case_id: int
    accept: bool

    @property
    def custom_id(self) -> str:
        """``modbot:appeal:<case_id>:<accept|deny>``."""
        return f"modbot:appeal:{self.case_id}:{'accept' if self.accept else 'deny'}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> AppealDecisionId:
        """From a match of :data:`APPEAL_DECISION_TEMPLATE` (raises :class:`IdOutOfRange`)."""
        return cls(_id(match, "case_id", "case"), match["answer"] == "accept")


def safe_label(label: str) -> str:
    """A label filter as a custom_id carries it."""
    return LABEL_UNSAFE.sub("", label)[:LABEL_MAX]


CustomId = (CaseButtonId | TimeoutPickId | WarnDialogId | ReportDialogId | ExpiredReportDialogId | QueuePageId
            | LadderButtonId | AppealsToggleId | AppealButtonId | AppealDialogId | AppealDecisionId)
CardComponentId = CaseButtonId | TimeoutPickId | LadderButtonId | AppealsToggleId | AppealDecisionId
_SHAPES: tuple[tuple[re.Pattern[str], type[CustomId]], ...] = (
    (re.compile(CASE_BUTTON_TEMPLATE), CaseButtonId),
    (re.compile(TIMEOUT_PICK_TEMPLATE), TimeoutPickId),
    (re.compile(WARN_DIALOG_TEMPLATE), WarnDialogId),
    (re.compile(REPORT_DIALOG_TEMPLATE), ReportDialogId),
    (re.compile(EXPIRED_REPORT_TEMPLATE), ExpiredReportDialogId),
    (re.compile(QUEUE_PAGE_TEMPLATE), QueuePageId),
    (re.compile(LADDER_BUTTON_TEMPLATE), LadderButtonId),
    (re.compile(APPEALS_TOGGLE_TEMPLATE), AppealsToggleId),
    (re.compile(APPEAL_BUTTON_TEMPLATE), AppealButtonId),
    (re.compile(APPEAL_DIALOG_TEMPLATE), AppealDialogId),
    (re.compile(APPEAL_DECISION_TEMPLATE), AppealDecisionId),
)


def parse_custom_id(value: str) -> CustomId | None:
    """The typed custom_id, None when it is not one of modbot's; raises :class:`IdOutOfRange` for a forged id."""
    for pattern, kind in _SHAPES:
        match = pattern.fullmatch(value or "")
        if match is not None:
            return kind.from_match(match)
    return None


def case_of_card_component(value: str) -> int | None:
    """The case a card component belongs to (a button or the Timeout select), or None."""
    try:
        parsed = parse_custom_id(value)
    except IdOutOfRange:
        return None
    return parsed.case_id if isinstance(parsed, CardComponentId) else None
