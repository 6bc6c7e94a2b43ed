"""Running several ``modbot run`` processes as one bot (README "Scaling out").

Two coordination points, each a port with an in-process implementation (Tier 0: one process) and a Redis one
(``[cluster] redis_url``): the :class:`IdentifyLock` keeps Discord's identify rule (one IDENTIFY per bucket
``shard_id % max_concurrency`` per interval) across processes, and the :class:`LeaderLease` picks the one process
that syncs application commands and runs the periodic jobs. :func:`build_cluster` chooses by configuration.
"""

from bot.cluster.build import Cluster, ClusterUnavailable, build_cluster
from bot.cluster.config import ClusterConfig
from bot.cluster.local import LocalIdentifyLock, LocalLeaderLease
from bot.cluster.ports import IdentifyLock, LeaderLease

__all__ = [
    "Cluster", "ClusterConfig", "ClusterUnavailable", "IdentifyLock", "LeaderLease", "LocalIdentifyLock",
    "LocalLeaderLease", "build_cluster",
]
