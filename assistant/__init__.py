"""Kamervragen Assistant: find what the Dutch government answered to parliament."""

__version__ = "0.1.0"
