"""Start the report kernel without the one slow import it never uses.

jsonschema validates the "iri" string format with rfc3987_syntax when it is installed
(JupyterLab brings it in), and building that grammar costs about a second at every kernel
start. jsonschema imports it under ``suppress(ImportError)``, so marking it unavailable makes
jsonschema skip only that format check; nothing in a report validates IRIs.

A kernel runs :func:`run_kernel` whether it was launched (``python -m toolkit.runs.kernel_launcher``,
as Voilà and JupyterLab start it) or forked from a warm process (:mod:`toolkit.runs.kernel_fork`).
"""
from __future__ import annotations

import sys

MODULE = "toolkit.runs.kernel_launcher"


def skip_slow_imports() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # a None entry makes `import` raise ImportError


def launcher_arguments(cmd: list[str]) -> list[str]:
    """The kernel's own arguments in a launch command ``[python, -m, toolkit.runs.kernel_launcher, *arguments]``."""
    if cmd[1:3] != ["-m", MODULE]:
        raise ValueError(f"not a thidua kernel command: {cmd}")
    return cmd[3:]


def run_kernel(arguments: list[str], parent: int | None) -> None:
    """Run an IPython kernel with ``arguments`` until it is shut down; it dies with ``parent``.

    ``parent``: the warm process a kernel was forked from (its single thread forks), or None.
    ipykernel's own parent poller only checks once a second; the death signal makes a killed warm
    process take its kernels along at once.
    """
    from toolkit.runs.lifetime import die_with_parent

    die_with_parent(parent)
    skip_slow_imports()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=arguments)


if __name__ == "__main__":
    # Launched by a Jupyter client (Voilà, JupyterLab, nbval): no death signal, which follows the
    # *thread* that started us, and such clients may start kernels from a worker thread. ipykernel's
    # parent poller (JPY_PARENT_PID, set by jupyter_client) ends the kernel within a second of its
    # client's death; tests/test_batch.py checks that nothing is left.
    run_kernel(sys.argv[1:], None)
