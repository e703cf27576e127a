#!/usr/bin/env python3
"""Fails when the test build would compile a shared dependency with other features.

`cargo build` (the demo, `cargo lambda watch`) resolves features from the normal and build
dependencies; `cargo test` adds the dev-dependencies. When a dev-dependency turns on a feature
in a crate both builds use, Cargo compiles that crate, and everything above it (the whole AWS
SDK), a second time. This compares the two resolutions with `cargo tree` and names each crate
whose features differ, with the feature that the test build adds.
"""

import subprocess
import sys


def features(edges: str) -> dict[str, set[str]]:
    """Each package of the host's dependency graph with `edges`, and its enabled features."""
    tree = subprocess.run(
        ["cargo", "tree", "--locked", "--prefix", "none", "--format", "{p}|{f}", "--edges", edges],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    packages: dict[str, set[str]] = {}
    for line in tree.splitlines():
        package, _, enabled = line.removesuffix(" (*)").partition("|")
        packages.setdefault(package.strip(), set()).update(name for name in enabled.split(",") if name)
    return packages


def main() -> int:
    """Prints every crate whose features the dev-dependencies change; 1 when there is one."""
    normal = features("normal,build")
    with_dev = features("normal,build,dev")
    drifted = {
        package: sorted(with_dev[package] - enabled)
        for package, enabled in normal.items()
        if with_dev.get(package, enabled) != enabled
    }
    for package, added in sorted(drifted.items()):
        print(
            f"check_shared_features: the test build adds {', '.join(added)} to {package}; "
            "declare it on a normal dependency in Cargo.toml (see serde there)",
            file=sys.stderr,
        )
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
