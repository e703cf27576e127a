"""moto_server for the large-organization bench: moto as it is, but for how it finds the
account of a request's access key.

For every request, moto (moto.iam.models.get_account_id_from) scans the IAM backends of every
account it knows for the key: the cost of each call grows with the number of accounts, and at a
thousand members moto spends the run scanning. Here the account a key was found in is
remembered, and checked again on each use (a key deleted, or a reset, sends it back to the
scan); a key in no account (the caller's own dummy credentials) is scanned for each time, as
before. Every answer is the one moto gives.

Usage: moto_server.py [moto_server's arguments]
"""

import sys

from moto.iam import models
from moto.server import main
from moto.utilities.utils import PARTITION_NAMES

scan = models.get_account_id_from
found: dict[str, str] = {}


def holds(account_id: str, access_key: str) -> bool:
    """Whether `account_id` still has `access_key`, in any partition."""
    account = models.iam_backends[account_id]
    return any(access_key in account[partition].access_keys for partition in PARTITION_NAMES)


def get_account_id_from(access_key: str) -> str:
    """moto's get_account_id_from, remembering the account each key was found in."""
    account_id = found.get(access_key)
    if account_id is not None and holds(account_id, access_key):
        return account_id
    account_id = scan(access_key)
    if holds(account_id, access_key):
        found[access_key] = account_id
    return account_id


models.get_account_id_from = get_account_id_from

if __name__ == "__main__":
    sys.exit(main())
