"""A fake Discord (REST + gateway on 127.0.0.1) that the real discord.py client runs against in tests.

Start one with ``fake = await FakeDiscord().start()``, populate it with :func:`seed_default_world`, point
discord.py at it with ``network.pointed_at(fake.port)``, and drive a client with :class:`BotHarness`
(in-process) or :class:`BotProcess` (``python -m bot run`` as a child). ``tests/conftest.py`` wires all of this
into fixtures.
"""

from .actions import Actions
from .commands import CommandNotAvailable
from .errors import ApiError
from .harness import BotHarness, BotStartupError, collect_failures
from .interactions import Callback, InteractionRecord, Kind, ResponseRecord
from .logguard import ErrorLogGuard
from .network import NetworkLeakError, pointed_at
from .server import FakeConfig, FakeDiscord
from .state import FakeChannel, FakeGuild, FakeMessage, FakeUser, MessageEvent, perm
from .subprocess_mode import BotProcess
from .world import seed_default_world

__all__ = [
    "Actions", "ApiError", "BotHarness", "BotProcess", "BotStartupError", "Callback", "CommandNotAvailable",
    "ErrorLogGuard", "FakeChannel", "FakeConfig", "FakeDiscord", "FakeGuild", "FakeMessage", "FakeUser",
    "InteractionRecord", "Kind", "MessageEvent", "NetworkLeakError", "ResponseRecord", "collect_failures", "perm",
    "pointed_at", "seed_default_world",
]
