"""Named moments at which a test can stop this process, to kill it there with SIGKILL, and
named faults a test can cause (`failpoint`).

`ASSISTANT_STOP_AT=<name>` makes the process send itself SIGSTOP on reaching <name>; the
test then kills it and checks that the index holds the old state or the new one. Unset
(always, outside tests), `reached` is one dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal

POINTS = (
    "write:begin",  # a write transaction is open, nothing written yet
    "write:rows",  # a letter's rows are written, not yet committed
    "write:committed",  # committed; the vector snapshot not yet considered
    "snapshot:file",  # a new vector snapshot file is on disk, the index does not use it yet
    "build:letter",  # a build committed one letter and goes on to the next
    "rebuild:moved",  # index --force moved a damaged index aside, holding the rebuild lock
)
FAULTS = (
    "snapshot:write",  # writing the vector snapshot fails as on a full disk (ENOSPC)
)


def reached(name: str) -> None:
    if os.environ.get("ASSISTANT_STOP_AT") == name:
        os.kill(os.getpid(), signal.SIGSTOP)


def failpoint(name: str) -> None:
    """`ASSISTANT_FAIL_AT=<name>`: raise the fault named <name> here, as the disk would (a
    full disk cannot be caused at will in a test)."""
    if os.environ.get("ASSISTANT_FAIL_AT") == name:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
