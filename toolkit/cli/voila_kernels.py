"""The kernel manager ``thidua app`` gives Voilà: a kernel waiting in the pool counts as active.

Voilà never culls a kernel while it waits in its pool of preheated kernels, but when it hands
one to a visitor it sends the kernel nothing, so jupyter_server still dates the kernel's last
activity to when it finished running the explorer, maybe hours ago. Before the visitor's page
has connected to it, the idle culler (``thidua app --idle-timeout``) would shut it down under
the visitor. Here every kernel in the pool is marked active at each of the culler's rounds:
a kernel handed out has at least the idle timeout less one round (a quarter of it) to be
connected to, and a closed page's kernel is still freed once that time has passed.

Voilà takes this class by its import path (``--VoilaConfiguration.multi_kernel_manager_class``)
and builds its pooling manager on it.
"""
from __future__ import annotations

from collections.abc import Iterator

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


class PoolAwareKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager whose culler sees the pool's kernels as active."""

    async def cull_kernels(self):
        now = utcnow()
        for kernel_id in self._pooled():
            self._kernels[kernel_id].last_activity = now
        await super().cull_kernels()

    def _pooled(self) -> Iterator[str]:
        """The ids of the kernels ready in Voilà's pools (``_pools``: notebook -> started kernels)."""
        for pool in getattr(self, "_pools", {}).values():
            for started in pool:
                if started.done() and not started.cancelled() and started.exception() is None:
                    kernel_id = started.result().get("kernel_id")
                    if kernel_id in self._kernels:
                        yield kernel_id
