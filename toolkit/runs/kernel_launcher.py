"""Start the report kernel without the one slow import it never uses, tied to the process that launched it.

jsonschema validates the "iri" string format with rfc3987_syntax when it is installed
(JupyterLab brings it in), and building that grammar costs about a second at every kernel
start. jsonschema imports it under ``suppress(ImportError)``, so marking it unavailable makes
jsonschema skip only that format check; nothing in a report validates IRIs.

Every project kernel runs ``python -m toolkit.runs.kernel_launcher`` (reports, Voilà,
JupyterLab). A report kernel is started through :func:`toolkit.runs.lifetime.launcher`, so it
dies with the process that launched it. Kernels launched by a Jupyter server are not: a server
may launch kernels from a worker thread, and the death signal follows the launching *thread*;
ipykernel's parent poller (JPY_PARENT_PID) ends those within a second of their server's death.
"""
from __future__ import annotations

import sys

MODULE = "toolkit.runs.kernel_launcher"


def skip_slow_imports() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # a None entry makes `import` raise ImportError


def run_kernel(arguments: list[str]) -> None:
    """Run an IPython kernel with ``arguments`` until it is shut down."""
    skip_slow_imports()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=arguments)


if __name__ == "__main__":
    run_kernel(sys.argv[1:])
