"""Importers: files admins already have, turned into films and reviews.

Every importer reports per row what it added, updated, skipped or failed, with
the line number and the reason, and a bad row never aborts the rest: each row
is its own transaction, so nothing is ever half-imported.
"""

from .report import ImportReport, RowOutcome

__all__ = ["ImportReport", "RowOutcome"]
