"""The simulated API server: object store, resource registry, defaulting, validation."""

from .errors import ApiError
from .registry import Registry, ResourceType
from .store import Store

__all__ = ["ApiError", "Registry", "ResourceType", "Store"]
