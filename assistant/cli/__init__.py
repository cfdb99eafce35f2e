"""The `assistant` command line: index, ask, parse, eval, add, remove, list, serve, import,
copy, match. `common` holds the group and what the commands share; `read` the commands that
read an index, `write` those that change one."""

from . import match, read, write  # noqa: F401  (registers the commands on `main`)
from .common import main, run

__all__ = ["main", "run"]
