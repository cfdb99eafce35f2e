"""Import answer letters from the official open data (Tweede Kamer API, officielebekendmakingen).

The storage side is a `Sink`; `run_import` does the rest. See importer.py.
"""

from .aanhangsel import aanhangsel_id, citation_label, document_url, official_url
from .http import USER_AGENT, FetchError, HttpPolicy, PoliteClient
from .importer import (
    SOURCES,
    ImportOptions,
    ImportReport,
    OptionError,
    Planned,
    Progress,
    Sink,
    Skipped,
    checkpoint_key,
    run_import,
)
from .obxml import parse_answer_xml

__all__ = [
    "SOURCES", "USER_AGENT", "FetchError", "HttpPolicy", "ImportOptions", "ImportReport",
    "OptionError", "Planned", "PoliteClient", "Progress", "Sink", "Skipped", "aanhangsel_id",
    "checkpoint_key", "citation_label", "document_url", "official_url", "parse_answer_xml",
    "run_import",
]
