"""Characters no member text keeps on its way through modbot: lone surrogates (not valid UTF-8: they cannot be
sent as JSON or stored) and control characters but tab, newline and carriage return (NUL, ...: invisible, and
tokenizers choke on them). The detectors drop them (:func:`bot.analysis.textmap.sanitize`); cards show each as
U+FFFD so moderators see that something was there (:func:`bot.moderation.cards.displayable`)."""

from __future__ import annotations

import re

UNSAFE_CHARS = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
