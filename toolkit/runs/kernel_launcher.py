"""Start the report kernel without the one slow import it never uses, tied to the process that launched it.

jsonschema validates the "iri" string format with rfc3987_syntax when it is installed
(JupyterLab brings it in), and building that grammar costs about a second at every kernel
start. jsonschema imports it under ``suppress(ImportError)``, so marking it unavailable makes
jsonschema skip only that format check; nothing in a report validates IRIs.

Every project kernel runs ``python -m toolkit.runs.kernel_launcher`` (reports, Voilà,
JupyterLab). A report kernel is also given ``--thidua-parent=PID``, the process that launched
it: the launcher asks the system to kill the kernel when that process dies
(:func:`toolkit.runs.lifetime.die_with_parent`, which exits at once if the parent is already
gone). Kernels launched by a Jupyter server get no such argument: a server may launch kernels
from a worker thread, and the death signal follows the launching *thread*; ipykernel's parent
poller (JPY_PARENT_PID) ends those within a second of their server's death.
"""
from __future__ import annotations

import sys

MODULE = "toolkit.runs.kernel_launcher"
PARENT_ARGUMENT = "--thidua-parent"


def skip_slow_imports() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # a None entry makes `import` raise ImportError


def split_parent(arguments: list[str]) -> tuple[list[str], int | None]:
    """The kernel app's own arguments, and the parent pid given with ``--thidua-parent=PID`` (or None)."""
    parent, rest = None, []
    for a in arguments:
        if a.startswith(PARENT_ARGUMENT + "="):
            parent = int(a.split("=", 1)[1])
        else:
            rest.append(a)
    return rest, parent


def run_kernel(arguments: list[str]) -> None:
    """Run an IPython kernel with ``arguments`` until it is shut down."""
    from toolkit.runs.lifetime import die_with_parent

    arguments, parent = split_parent(arguments)
    if parent is not None:
        die_with_parent(parent)
    skip_slow_imports()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=arguments)


if __name__ == "__main__":
    run_kernel(sys.argv[1:])
