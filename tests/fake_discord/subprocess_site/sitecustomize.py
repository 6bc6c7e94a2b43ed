"""Auto-imported by a child Python with this directory on PYTHONPATH: point discord.py at the fake Discord.

``FAKE_DISCORD_PORT`` carries the fake's port; ``FAKE_DISCORD_NETWORK`` the path of ``fake_discord/network.py``
(loaded by path so the test package's ``__init__`` is not imported). Without the port this file does nothing.
"""

import importlib.util
import os

_port = os.environ.get("FAKE_DISCORD_PORT")
if _port:
    _spec = importlib.util.spec_from_file_location("_fake_discord_network", os.environ["FAKE_DISCORD_NETWORK"])
    assert _spec is not None and _spec.loader is not None
    _network = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_network)
    _network.apply_seams(int(_port))
    _network.install_guard()  # refuse non-loopback hosts for the whole process
