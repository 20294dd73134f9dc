"""Sphinx configuration: MyST pages, furo, autodoc; built with -n -W."""

from __future__ import annotations

import sagemaker_stub

project = "sagemaker-stub"
author = "sagemaker-stub developers"
copyright = "2026, sagemaker-stub developers"
release = sagemaker_stub.__version__

# The package names itself as the home of its public classes (for help() and
# tracebacks); autodoc reads attribute comments from the module that defines
# each one, so it is given those modules back while it documents them.
for _name, _module in sagemaker_stub._DEFINED_IN.items():
    getattr(sagemaker_stub, _name).__module__ = _module

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "furo"
myst_heading_anchors = 3
# Term-and-definition lists, for the glossary in architecture.md.
myst_enable_extensions = ["deflist"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_class_signature = "separated"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# No network for intersphinx: references into these projects stay plain text.
nitpick_ignore_regex = [
    (r"py:.*", r"(botocore|boto3|attr|attrs|typing_extensions|pytest|_pytest)\..*"),
    (r"py:.*", r"(Any|Self|Hashable|Mapping|Sequence|Iterator|TracebackType)"),
    (
        r"py:.*",
        r"(unittest\.(case\.|async_case\.)?\w*TestCase|collections\.abc\..*|types\..*)",
    ),
    (r"py:.*", r"(datetime\.datetime|random\.Random|weakref\.\w+|os\.PathLike)"),
    (r"py:.*", r"(pathlib\.)?Path|Filter|RecordMode"),
    (r"py:.*", r"sagemaker_stub\._.*"),
]
