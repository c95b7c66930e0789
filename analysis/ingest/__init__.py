"""Reading comment threads from every supported format into one record table.

Each format has its own module with one ``read_*`` function returning a
:class:`~analysis.ingest.base.ReadResult`; :mod:`analysis.ingest.integrity`
then decides what is kept and what is quarantined, and
:mod:`analysis.ingest.canonical` builds the canonical tables.
"""
