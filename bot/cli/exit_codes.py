"""The exit codes of every ``modbot`` subcommand, defined once (scripts, systemd and Docker read them).

=====  =========================================================================================
0      success (``healthcheck``: healthy; ``analyze``: also an empty input)
1      the command ran and failed: an unreadable file, a rejected token, unhealthy, some articles
       not summarized
2      the command could not start: bad arguments, a missing CSV column, invalid configuration
130    interrupted (Ctrl-C)
=====  =========================================================================================
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode"]


class ExitCode(IntEnum):
    """Process exit status of a ``modbot`` subcommand (an ``int``, so ``main()`` returns it unchanged)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    CONFIG = 2  # an alias of USAGE: invalid configuration is a usage error of the whole command
    INTERRUPTED = 130
