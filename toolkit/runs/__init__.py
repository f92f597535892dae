"""Running report notebooks: the runner, batch runs, the kernel, manifests and verification."""
