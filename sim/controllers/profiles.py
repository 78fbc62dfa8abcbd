"""Cluster profiles: YAML data naming nodes, address ranges, cloud flavour and add-ons."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent / "profiles"


class UnknownProfile(ValueError):
    pass


def known_profiles() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.yaml") if not p.stem.startswith("_"))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


_cache: dict[str, dict] = {}


def load_profile(name: str) -> dict:
    """A fresh copy of the profile ``name`` (parsed once per process)."""
    if name not in _cache:
        _cache[name] = _load(name)
    return copy.deepcopy(_cache[name])


def _load(name: str) -> dict:
    """The profile ``name`` with what it ``extends`` merged under it (``extra_objects``
    lists add to the base's)."""
    path = HERE / f"{name}.yaml"
    if not name or "/" in name or not path.is_file():
        raise UnknownProfile(f"unknown cluster profile {name!r} "
                             f"(known: {', '.join(known_profiles())})")
    data = yaml.safe_load(path.read_text()) or {}
    parent = data.pop("extends", None)
    if parent:
        base = _load(parent)
        extra = list(base.get("extra_objects") or []) + list(data.pop("extra_objects", None) or [])
        data = _merge(base, data)
        if extra:
            data["extra_objects"] = extra
    data["name"] = name
    return data
