"""The engine: the shared machine, guards and effects, permissions and the Registry service."""

from ocop.workflow.registry import Registry, TransitionEvent

__all__ = ["Registry", "TransitionEvent"]
