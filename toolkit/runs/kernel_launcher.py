"""Start the report kernel without the one slow import it never uses.

jsonschema validates the "iri" string format with rfc3987_syntax when it is installed
(JupyterLab brings it in), and building that grammar costs about a second at every kernel
start. jsonschema imports it under ``suppress(ImportError)``, so marking it unavailable makes
jsonschema skip only that format check; nothing in a report validates IRIs.
"""
from __future__ import annotations

import sys


def skip_slow_imports() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # a None entry makes `import` raise ImportError


if __name__ == "__main__":
    # No death signal here: PR_SET_PDEATHSIG fires when the *thread* that started us exits, and
    # Jupyter clients (nbval, nbclient under an event loop) may start kernels from a worker thread.
    # ipykernel's own parent poller (JPY_PARENT_PID, set by jupyter_client) ends the kernel within
    # a second of its runner's death; tests/test_batch.py checks that nothing is left.
    skip_slow_imports()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
