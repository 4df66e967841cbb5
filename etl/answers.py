"""The key under which an answer label is looked up in a scale's labels."""

from __future__ import annotations

from etl.reference import name_key


def answer_key(text: str) -> str:
    """Accent-, case-, space- and punctuation-insensitive key of an answer label, the one the
    scales' labels and the staff's mappings (answer_label_map) are keyed by."""
    return name_key(text)
