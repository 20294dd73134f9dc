"""Merging a save into the cassette as another process may have left it.

Several processes may record into one cassette (pytest-xdist workers, two
pytest runs): each save reads the file as it is then and merges its own
recordings in, under :func:`.lock.locked`. Interactions are grouped by the
request they were recorded for, and the groups are ordered by label, so the
file holds the same bytes whatever order the processes saved in.
"""

from __future__ import annotations

import json

from .file import Document

__all__ = ["key_of", "merged"]


def key_of(document: Document) -> str:
    """The request an interaction was recorded for, as text: what a merge and
    a report of unused recordings tell interactions apart by."""
    return json.dumps(
        [document.get("operation"), document.get("request")],
        sort_keys=True,
        ensure_ascii=False,
    )


def merged(
    current: list[Document],
    loaded: list[Document],
    ours: list[Document],
    *,
    replace: bool,
) -> list[Document]:
    """The interactions a save writes: the file's as it is now, and ours.

    Interactions are grouped by request (an error and the success of its
    retry stay together, in order). With ``replace`` (``record_mode="all"``)
    our group replaces the file's for each request we recorded; the file's
    other groups are kept. Otherwise ours are added to the file: for a request
    the file already had when this tape ``loaded`` it, after those
    (the retry after a recorded error); for one another process added since,
    the group whose label (``recorded_by``) sorts first is kept, so the
    outcome does not depend on which process saved first. Groups are ordered
    by the label of their first interaction (unlabelled first), each label's
    in the order recorded.
    """
    groups = _groups(current)
    if replace:
        groups.update(_groups(ours))
    else:
        before = _groups(loaded)
        for key, mine in _groups(ours).items():
            base = before.get(key, [])
            found = groups.get(key, [])
            if found[: len(base)] != base:  # recorded over since: not ours to extend
                base = []
            theirs = found[len(base) :]
            if not theirs or _label(mine) < _label(theirs):
                groups[key] = base + mine
    ordered = sorted(groups.values(), key=_label)
    return [document for group in ordered for document in group]


def _groups(documents: list[Document]) -> dict[str, list[Document]]:
    groups: dict[str, list[Document]] = {}
    for document in documents:
        groups.setdefault(key_of(document), []).append(document)
    return groups


def _label(group: list[Document]) -> str:
    label = group[0].get("recorded_by") if group else None
    return label if isinstance(label, str) else ""
