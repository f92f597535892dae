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
    import os

    from toolkit.runs.lifetime import die_with_parent

    # jupyter_client names the process that started us; ipykernel's own parent poller only
    # checks once a second, this makes a killed runner take its kernel along at once
    parent = os.environ.get("JPY_PARENT_PID")
    die_with_parent(int(parent) if parent and parent.isdigit() else None)
    skip_slow_imports()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
