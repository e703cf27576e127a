#!/usr/bin/env python3
"""Checks the Lambda package that `make build` made: prints its size, zipped and unzipped, and
fails when it is over Lambda's limits (50 MB zipped for a direct upload, 250 MB unzipped) or
over this project's own budget, which keeps the cold start short.

Usage: check_package.py PATH_TO_BOOTSTRAP_ZIP
"""

import sys
import zipfile
from pathlib import Path

MB = 1_000_000
# The project's budget for the zip (the bench's target too): the bootstrap is loaded at every
# cold start. 8.8 MB on 2026-12-02.
ZIP_BUDGET = 10 * MB
# (what, limit in bytes, whose limit)
LIMITS = [
    ("zipped", 50 * MB, "Lambda's, for a zip uploaded directly"),
    ("unzipped", 250 * MB, "Lambda's"),
    ("zipped", ZIP_BUDGET, "this project's budget, which keeps the cold start short"),
]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path = Path(sys.argv[1])
    if not path.is_file():
        print(f"check_package.py: {path} does not exist (make build makes it)", file=sys.stderr)
        return 1
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        sizes = {"zipped": path.stat().st_size, "unzipped": sum(info.file_size for info in package.infolist())}
    if "bootstrap" not in names:
        print(f"check_package.py: {path} has no bootstrap at its root: {names}", file=sys.stderr)
        return 1
    print(f"package {path}: {sizes['zipped'] / MB:.2f} MB zipped, {sizes['unzipped'] / MB:.2f} MB unzipped")
    over = [(what, limit, whose) for what, limit, whose in LIMITS if sizes[what] > limit]
    for what, limit, whose in over:
        print(f"check_package.py: {what} size over {limit / MB:.0f} MB ({whose})", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
