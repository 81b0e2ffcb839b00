"""pytest start-up for the whole suite.

matplotlib prints "Matplotlib is building the font cache" to stderr the first time it runs
on a machine; nbval compares stderr, so build the cache here, before any notebook kernel
starts. The Agg backend keeps the package tests headless.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.font_manager  # noqa: E402,F401  (builds the font cache once)
