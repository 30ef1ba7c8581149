"""YAML for leadtool's shipped data files and the user's config, rules and checks files.

One parser for all of them: libyaml's C parser where PyYAML was built with it (the wheels
are), else PyYAML's pure-Python one. Both build the same safe types — only plain data, no
Python objects — and the C one is about ten times faster, which is most of the start-up of a
small run (the shipped data files are parsed on every run).
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

YAMLError = yaml.YAMLError


def parse_yaml(text: str) -> Any:
    """The document in ``text`` as plain Python data; raises ``YAMLError`` when it is not YAML."""
    return yaml.load(text, Loader=_Loader)
