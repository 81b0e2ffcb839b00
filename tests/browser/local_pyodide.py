"""A Pyodide distribution on this machine, for the offline browser tests of live mode.

Readers' browsers fetch Pyodide (the WebAssembly CPython that JupyterLite's kernel runs) from
Pyodide's CDN. The tests have no internet, so they answer those requests from a folder
assembled here from the package registries:

* the core (runtime, standard library, ``pyodide-lock.json``) from the npm package
  ``pyodide`` of the kernel's exact version (``tests/browser/pyodide/package.json`` and its
  lock, installed with ``npm ci``);
* the pure-Python wheels that the kernel loads from Pyodide's distribution when it starts
  (IPython and its dependencies, jedi, micropip), at the versions of Pyodide's lock, from PyPI;
* the lock rewritten so that its file names and sha256 sums are those of these wheels.

Pyodide's own builds of numpy, matplotlib and pillow are not on any registry, so with this
folder the kernel starts and pure-Python packages install, but ``import numpy`` fails.

Run ``python tests/browser/local_pyodide.py`` to assemble it (CI does, in ``.ci/run``); the
result is ``tests/browser/pyodide/dist/``.
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import re
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent / "pyodide"
NPM_CORE = HERE / "node_modules" / "pyodide"
WHEELS = HERE / "wheels"
DIST = HERE / "dist"
#: what the kernel loads from Pyodide's distribution as it starts (the pyodide kernel's
#: worker: micropip, then piplite installs ipykernel, comm, pyodide-kernel, jedi, ipython;
#: the others come from the app's own wheels), with their dependencies from the lock
KERNEL_PACKAGES = ("micropip", "packaging", "ipython", "jedi")
#: files of the npm package that are the distribution (the rest is typings and docs)
CORE_FILES = ("pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm",
              "python_stdlib.zip", "pyodide-lock.json")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def kernel_version() -> str:
    """The Pyodide version the installed JupyterLite kernel is built for."""
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    return PYODIDE_VERSION


def python_version() -> str:
    """The Python version Pyodide runs (for pip, which picks wheels by ``Requires-Python``)."""
    from jupyterlite_pyodide_kernel.constants import PYODIDE_PYTHON_VERSION

    return PYODIDE_PYTHON_VERSION


def npm_version() -> str | None:
    package = NPM_CORE / "package.json"
    return json.loads(package.read_text())["version"] if package.exists() else None


def closure(lock: dict, names) -> list[str]:
    """``names`` and everything they depend on, as keys of the lock's packages."""
    packages = {normalize(key): key for key in lock["packages"]}
    seen, todo = [], [normalize(n) for n in names]
    while todo:
        name = todo.pop()
        key = packages.get(name)
        if key is None or key in seen:
            continue
        seen.append(key)
        todo += [normalize(d) for d in lock["packages"][key]["depends"]]
    return sorted(seen)


def _sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install_core() -> None:
    """``npm ci`` in tests/browser/pyodide (the committed lock), if not done yet."""
    if npm_version() is None:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=HERE, check=True)


def _wheel_of(entry: dict) -> pathlib.Path | None:
    for path in WHEELS.glob("*.whl"):
        dist, version = path.name.split("-")[:2]
        if normalize(dist) == normalize(entry["name"]) and version == entry["version"]:
            return path
    return None


def download_wheels(entries: dict) -> dict[str, pathlib.Path]:
    """The PyPI wheel of each lock entry (key → entry), downloaded once into ``WHEELS``."""
    WHEELS.mkdir(parents=True, exist_ok=True)
    missing = [f"{e['name']}=={e['version']}" for e in entries.values() if not _wheel_of(e)]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "--python-version", python_version(), "--dest",
                        str(WHEELS), *missing], check=True)
    wheels = {key: _wheel_of(entry) for key, entry in entries.items()}
    if not all(wheels.values()):
        raise RuntimeError(f"no wheel downloaded for {[k for k, w in wheels.items() if not w]}")
    return wheels


def assemble(dest: pathlib.Path = DIST) -> pathlib.Path:
    """The folder, made if missing or stale (another kernel version); returns ``dest``."""
    version = kernel_version()
    stamp = dest / "assembled.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("version") == version:
        return dest
    install_core()
    if npm_version() != version:
        raise RuntimeError(f"tests/browser/pyodide has pyodide {npm_version()} from npm, the "
                           f"kernel needs {version}: update package.json and its lock")
    lock = json.loads((NPM_CORE / "pyodide-lock.json").read_text())
    entries = {key: lock["packages"][key] for key in closure(lock, KERNEL_PACKAGES)}
    impure = [k for k, e in entries.items() if not e["file_name"].endswith("-none-any.whl")]
    if impure:
        raise RuntimeError(f"not pure-Python, so not on PyPI for Pyodide: {impure}")
    wheels = download_wheels(entries)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in CORE_FILES:
        shutil.copy2(NPM_CORE / name, dest / name)
    for key, wheel in wheels.items():
        shutil.copy2(wheel, dest / wheel.name)
        lock["packages"][key]["file_name"] = wheel.name
        lock["packages"][key]["sha256"] = _sha256(wheel)
    (dest / "pyodide-lock.json").write_text(json.dumps(lock))
    stamp.write_text(json.dumps({"version": version, "wheels": sorted(wheels)}))
    return dest


if __name__ == "__main__":
    print(f"assembled {assemble()}")
