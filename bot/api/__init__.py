"""``modbot serve``: a self-hosted, Perspective-compatible comment analysis API (aiohttp).

Modules: :mod:`~bot.api.config` (the ``[api]`` settings), :mod:`~bot.api.errors` (Perspective's error shape),
:mod:`~bot.api.wire` (request parsing and the attribute table), :mod:`~bot.api.scoring` (the bot's engine and
analyzer behind the attributes), :mod:`~bot.api.keys` (hashed keys in SQLite), :mod:`~bot.api.quota` (key checks
and QPS buckets), :mod:`~bot.api.feedback` (``comments:suggestscore``), :mod:`~bot.api.discovery` (the discovery
document Google's client reads) and :mod:`~bot.api.server` (routes and lifecycle). Nothing here imports discord.
"""
