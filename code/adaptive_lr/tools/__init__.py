"""Authoring tools for the book (not needed to read it): ``python -m adaptive_lr.tools.refresh``."""
