"""Running several ``modbot run`` processes as one bot (README "Scaling out").

Coordination points, each a port with an in-process implementation (Tier 0: one process) and a Redis one
(``[cluster] redis_url``): the :class:`IdentifyLock` keeps Discord's identify rule (one IDENTIFY per bucket
``shard_id % max_concurrency`` per interval) across processes, and the :class:`LeaderLease` picks the one process
that syncs application commands and runs the periodic jobs; the :class:`ConfigBus` tells every process about a
``/config`` change, and the :class:`RestBudget` shares Discord's global REST limit (Redis only).
:func:`build_cluster` chooses by configuration.
"""

from bot.cluster.build import Cluster, ClusterUnavailable, build_cluster
from bot.cluster.config import ClusterConfig
from bot.cluster.local import LocalConfigBus, LocalIdentifyLock, LocalLeaderLease
from bot.cluster.ports import ConfigBus, IdentifyLock, LeaderLease, RestBudget, owner_filter

__all__ = [
    "Cluster", "ClusterConfig", "ClusterUnavailable", "ConfigBus", "IdentifyLock", "LeaderLease", "LocalConfigBus",
    "LocalIdentifyLock", "LocalLeaderLease", "RestBudget", "build_cluster", "owner_filter",
]
