"""Re-execute the book's notebooks in place, in reading order, without saved widget state.

Usage, from the repository root::

    python -m adaptive_lr.tools.refresh                 # every notebook in _toc.yml
    python -m adaptive_lr.tools.refresh chapters/adagrad.ipynb

Before executing, the Colab install cell (the first cell, tagged ``colab-install``) is
rewritten from the repository address in ``_config.yml``, so the address lives in one place,
and the browser's install cell (the second, tagged ``lite-install``: ipywidgets and the
package, only under ``sys.platform == "emscripten"``, i.e. in JupyterLite) is inserted or
rewritten from ``adaptive_lr.tools.lite.lite_source()``.
Outputs are what the committed book shows and what nbval compares, so commit them.

Widget state is not stored, and any stored before is removed: a widget needs a kernel, so on
the static page its saved view would be controls that move and change nothing (the book shows
kernel-free scrubbers instead, and its launch buttons run the widgets live).
"""
from __future__ import annotations

import argparse
import pathlib
import re
import sys

import nbformat
import yaml
from nbclient import NotebookClient

from .lite import sync_lite_cell

COLAB_TAG = "colab-install"


def book_root(start: pathlib.Path) -> pathlib.Path:
    """The nearest folder at or above ``start`` holding ``_toc.yml``."""
    for folder in [start, *start.parents]:
        if (folder / "_toc.yml").exists():
            return folder
    raise FileNotFoundError(f"no _toc.yml at or above {start}")


def toc_docnames(root: pathlib.Path) -> list[str]:
    """Every document in ``_toc.yml`` (without suffix), in reading order, the root first."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key))

    for key in ("parts", "chapters", "sections"):
        walk(toc.get(key))
    return [re.sub(r"\.(md|ipynb)$", "", name) for name in names]


def toc_notebooks(root: pathlib.Path) -> list[pathlib.Path]:
    """Notebooks in the table of contents, in reading order."""
    paths = [root / f"{name}.ipynb" for name in toc_docnames(root)]
    return [path for path in paths if path.exists()]


def repository_url(root: pathlib.Path) -> str:
    return yaml.safe_load((root / "_config.yml").read_text())["repository"]["url"]


def colab_source(url: str) -> str:
    """The first cell of every notebook: install the package, only when running on Colab."""
    return (
        "# On Colab, install this book's package (Binder and local installs already have it).\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "adaptive-lr @ git+{url}"\n'
        "    from google.colab import output\n"
        "\n"
        "    output.enable_custom_widget_manager()")


def sync_colab_cell(nb, url: str) -> None:
    """Make the notebook's first cell the Colab install cell (inserting it if missing)."""
    cell = nbformat.v4.new_code_cell(colab_source(url))
    cell.metadata["tags"] = ["remove-cell", COLAB_TAG]
    first = nb.cells[0] if nb.cells else None
    if first is not None and COLAB_TAG in first.get("metadata", {}).get("tags", []):
        first.source = cell.source
        first.metadata["tags"] = cell.metadata["tags"]
    else:
        nb.cells.insert(0, cell)


def refresh(path: pathlib.Path, url: str, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    sync_colab_cell(nb, url)
    sync_lite_cell(nb)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=False, record_timing=False)
    client.execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path,
                        help="notebooks to refresh (default: all in _toc.yml, in order)")
    args = parser.parse_args(argv)
    root = book_root(pathlib.Path.cwd())
    notebooks = args.notebooks or toc_notebooks(root)
    url = repository_url(root)
    for path in notebooks:
        print(f"executing {path} ...", flush=True)
        refresh(path.resolve(), url)
    print(f"refreshed {len(notebooks)} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
