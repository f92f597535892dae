"""The kernel manager ``thidua app`` gives Voilà: a ceiling on kernels, and pooled kernels kept from the culler.

**A ceiling.** Every visitor gets a kernel of their own (about 240 MB resident here), and Voilà
starts one for every request, however many arrive: twenty colleagues opening the link together
made 22 kernel processes and 4.8 GB. ``max_kernels`` (``thidua app --max-kernels``) bounds the
kernel processes, the pool's included. The server admits a visitor who needs a new kernel by
taking a place (:meth:`AppKernelManager.admit`) before it sends anything, so that a visitor
beyond the ceiling gets its busy page at once (:mod:`toolkit.cli.voila_server`); the kernel
started for that request then fills the place. The pool is refilled only below the ceiling
too: its refill waits for a free place instead of failing, and a visitor is never made to wait
for such a waiting refill (:meth:`AppKernelManager.pool_ready`).

**The server first.** Kernels run at a lower priority (``nice`` +10) than the server: when
twenty kernels start at once on two cores, the server still sends every visitor's page (and
the first view in it) at once, and the kernels share what is left.

**The culler.** Voilà never culls a kernel while it waits in its pool of preheated kernels, but
when it hands one to a visitor it sends the kernel nothing, so jupyter_server still dates the
kernel's last activity to when it finished running the explorer, maybe hours ago. Before the
visitor's page has connected to it, the idle culler (``thidua app --idle-timeout``) would shut
it down under the visitor. Here every kernel in the pool is marked active at each of the
culler's rounds: a kernel handed out has at least the idle timeout less one round (a quarter of
it) to be connected to, and a closed page's kernel is still freed once that time has passed.

Voilà takes this class by its import path (``--VoilaConfiguration.multi_kernel_manager_class``)
and builds its pooling manager on it; the limit is ``--AppKernelManager.max_kernels``.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
from collections.abc import Iterator

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Int

from toolkit.errors import ThiduaError

POOL_RETRY_SECONDS = 0.5  # how often a pool refill waiting for a free place looks again
KERNEL_NICE = 10  # kernels yield the processor to the server (see the module's docstring)

# The place a request was admitted with (AppKernelManager.admit), seen by the kernel start of that request.
_admitted: contextvars.ContextVar[object | None] = contextvars.ContextVar("thidua_admitted", default=None)


class KernelLimitReached(ThiduaError):
    """A visitor's kernel would exceed ``max_kernels``: the server answers with its busy page (never shown as an error)."""


class AppKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager with a ceiling on kernels, whose culler sees the pool's kernels as active."""

    max_kernels = Int(0, config=True, help="Most kernel processes at once, the pool's included (0: no limit).")

    _closing = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._places: set[object] = set()  # admitted requests whose kernel has not started yet

    # ----------------------------------------------------------------- the ceiling

    def kernel_count(self) -> int:
        """Kernel processes started or starting (a start that failed is not counted), plus places taken for them."""
        starting = {k for k, task in self._pending_kernels.items() if not task.done()}
        return len(set(self._kernels) | starting) + len(self._places)

    def has_room(self) -> bool:
        return self.max_kernels <= 0 or self.kernel_count() < self.max_kernels

    def admit(self) -> object:
        """Take a place for the kernel of the request being served, or raise :class:`KernelLimitReached`.

        That request's kernel start (in the same asyncio context) uses the place; give it back with
        :meth:`release` when the request ends (a no-op once the kernel has used it).
        """
        if not self.has_room():
            raise KernelLimitReached(f"{self.kernel_count()} kernels, at most {self.max_kernels}")
        place = object()
        self._places.add(place)
        _admitted.set(place)
        return place

    def release(self, place: object) -> None:
        self._places.discard(place)

    async def start_kernel(self, **kwargs):
        """Start a kernel below the ceiling: a pool refill waits for a place, a visitor's start takes its place.

        Voilà marks the kernels it starts for its pool with ``VOILA_PREHEAT=True`` in their environment.
        Nothing awaits between the check and the start's registration, so two starts cannot both take the last place.
        """
        if (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "True":
            while not self.has_room():
                if self._closing:
                    raise KernelLimitReached("shutting down")
                await asyncio.sleep(POOL_RETRY_SECONDS)
        elif _admitted.get() in self._places:
            self._places.discard(_admitted.get())  # from here on the kernel itself is counted
        elif not self.has_room():
            raise KernelLimitReached(f"{self.kernel_count()} kernels, at most {self.max_kernels}")
        kernel_id = await super().start_kernel(**kwargs)
        self._yield_to_server(kernel_id)
        return kernel_id

    def _yield_to_server(self, kernel_id: str) -> None:
        """Lower the new kernel's priority by ``KERNEL_NICE`` (best effort: it only makes the server's pages faster)."""
        pid = getattr(getattr(self.get_kernel(kernel_id), "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + KERNEL_NICE))

    async def shutdown_all(self, *args, **kwargs):
        self._closing = True  # a refill waiting for a place gives up instead of starting a kernel at shutdown
        await super().shutdown_all(*args, **kwargs)

    def pool_ready(self, notebook: str) -> bool:
        """Whether a pooled kernel of ``notebook`` has started; it is put first, where Voilà takes from.

        A pool entry still starting, or waiting for a place below the ceiling, is not ready: a
        visitor gets a kernel of their own (or the busy page) rather than waiting for it.
        """
        pool = getattr(self, "_pools", {}).get(notebook, [])
        for i, started in enumerate(pool):
            if started.done() and not started.cancelled() and started.exception() is None:
                pool.insert(0, pool.pop(i))
                return True
        return False

    # ----------------------------------------------------------------- the culler

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
