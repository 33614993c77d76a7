"""Chart SVGs kept on disk by what they were drawn from, so each chart is drawn once per distinct input.

Why: matplotlib is a large share of the report stage (constrained layout alone is close to half of it), and the
same chart is drawn by several products (the quarterly report, the exception reports) and again on every re-run,
even when only the commentary changed. A chart function decorated with :func:`cached_svg` looks its SVG up in
the cache folder first and draws only on a miss.

- **Key.** SHA-256 over the function's module and qualified name, the environment that shapes the drawing
  (:func:`environment_digest`: the ``analysis`` package's source, Python's and the drawing libraries' versions,
  the fonts the house style resolves to) and matplotlib's current settings, and the call's arguments pickled
  (:func:`arguments_pickle`, which writes sets and pandas arrays so that equal data pickles the same in every
  process). Pickling is a faithful copy of the arguments, so two calls with the same key were given equal
  arguments and draw the same bytes; a pickle that differs for equal data (a frame built another way, a
  different index) only costs a miss, never a wrong hit. Arguments that refer to code outside what the key
  covers (a function or class defined in a notebook, or in a library whose version is not in the key) cannot be
  keyed safely, and nor can arguments that cannot be pickled at all: such a call simply draws.
- **Folder.** Set by the products' loaders (:func:`use_folder`, called by
  :func:`analysis.products.report_data.load_report_data` and
  :func:`analysis.products.dashboard_data.load_dashboard_data`) to ``data/chart-cache``, beside ``data/processed``
  (:func:`folder_beside`): never under ``reports/`` or ``data/processed/``, so it is never published. With no
  folder set (unit tests, a function called by hand) every call draws and nothing is written.
- **Safety.** Each file is written to a temporary file in the same folder and renamed into place, so a killed run
  never leaves half a file; a file that cannot be read or is not a whole SVG is drawn again and replaced. A hit
  touches the file, and files not used for :data:`MAX_AGE_DAYS` are removed when the folder is first set in a
  process, so the folder stays bounded.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import io
import logging
import os
import pickle
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, ParamSpec

from pandas.api.extensions import ExtensionArray

from analysis.io import atomic_path

logger = logging.getLogger(__name__)

P = ParamSpec("P")

#: The cache folder's name, beside the processed tables' folder (``data/chart-cache``).
FOLDER_NAME = "chart-cache"
#: Days a cached chart may go unused before it is removed. A quarter's re-runs (a corrected extract, new
#: commentary), the month's dashboards and the tests' copies of a project all come within weeks of the first
#: draw; a chart unused for a month belongs to data that has since changed, and keeping it would only let the
#: folder grow with every change of the data.
MAX_AGE_DAYS = 30
#: Suffix of a cached chart (the file is the SVG text, UTF-8).
SUFFIX = ".svg"
#: Suffix of the temporary file a write goes through (:func:`analysis.io.atomic_path`); one a killed run left
#: behind is removed with the old entries.
TEMPORARY_SUFFIX = ".tmp"
#: Distributions whose code draws the charts or rebuilds their pickled arguments: their versions are part of the
#: key, so their classes and functions may appear in the arguments (with the standard library and ``analysis``).
VERSIONED = {
    "matplotlib": "matplotlib",
    "numpy": "numpy",
    "pandas": "pandas",
    "pyarrow": "pyarrow",  # pandas' strings are pyarrow arrays
    "afcharts": "afcharts",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic-core",
}
#: Top-level modules whose code the key covers: ``analysis`` (its source), the versioned libraries, the
#: standard library (Python's version).
KEYED_MODULES = frozenset({"analysis", *VERSIONED, *sys.stdlib_module_names})

#: The package's files that :func:`analysis.run.fingerprints.code_fingerprint` reads.
SOURCE_SUFFIXES = (".py", ".tpl", ".css", ".j2")

_folder: Path | None = None
_pruned: set[Path] = set()
_said_source_changed: list[bool] = []  # said once per process


class Unkeyable(Exception):
    """The arguments cannot be keyed safely (not picklable, or they refer to code the key does not cover)."""


# ------------------------------------------------------------------------------------------------ the folder
def folder_beside(processed_dir: str | Path) -> Path:
    """The cache folder for a processed tables' folder: ``<its parent>/chart-cache`` (``data/chart-cache``).

    During a run the tables are in a staging folder beside ``data/processed``, so the run and the published
    project share one cache.
    """
    return Path(processed_dir).absolute().parent / FOLDER_NAME


def use_folder(folder: str | Path | None) -> None:
    """Keep the charts of this process in ``folder`` (None: draw every chart, write nothing).

    The first time a folder is set in a process, entries not used for :data:`MAX_AGE_DAYS` are removed.
    """
    global _folder
    _folder = None if folder is None else Path(folder).absolute()
    if _folder is not None and _folder not in _pruned:
        _pruned.add(_folder)
        prune(_folder)


def current_folder() -> Path | None:
    """The folder charts are kept in, or None when none is set."""
    return _folder


def prune(folder: Path, *, max_age_days: float = MAX_AGE_DAYS, now: float | None = None) -> int:
    """Remove cached charts (and temporary files a killed run left) not used for ``max_age_days``; how many."""
    limit = (time.time() if now is None else now) - max_age_days * 86400
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0  # no folder yet, or unreadable: nothing to prune
    for entry in entries:
        if not entry.name.endswith((SUFFIX, TEMPORARY_SUFFIX)):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue  # removed by another process meanwhile, or not ours to remove
    if removed:
        logger.debug("Removed %d chart(s) unused for %s days from %s", removed, max_age_days, folder)
    return removed


# ------------------------------------------------------------------------------------------------ the key
def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def _font_files() -> list[tuple[str, int]]:
    """The files the house style's fonts resolve to (name, size): installing Arial changes every chart."""
    import matplotlib
    from matplotlib import font_manager

    from analysis.products.chart_style import HOUSE_STYLE

    files = []
    with matplotlib.rc_context(HOUSE_STYLE):
        for weight in ("normal", "bold"):
            path = Path(font_manager.findfont(font_manager.FontProperties(weight=weight)))
            files.append((path.name, path.stat().st_size if path.is_file() else -1))
    return files


def source_stamp() -> tuple[tuple[str, int, int], ...]:
    """Each source file of the ``analysis`` package with its modification time and size: taken in a fraction of a
    millisecond, so that every call can tell whether the source changed since the process loaded it."""
    import analysis

    stamp: list[tuple[str, int, int]] = []
    folders = [str(Path(analysis.__file__).resolve().parent)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.name.endswith(SOURCE_SUFFIXES):
                    status = entry.stat()
                    stamp.append((entry.path, status.st_mtime_ns, status.st_size))
    return tuple(sorted(stamp))


#: The package's source as this process loaded it (:func:`source_unchanged`).
_LOADED_SOURCE = source_stamp()


def source_unchanged() -> bool:
    """Whether the package's source files are still those this process loaded.

    When they are not (an analyst editing a chart in a running notebook kernel), the process's charts are drawn
    without the cache: its code may be the old (not reloaded) or the new (autoreloaded), and the key cannot say
    which drew a chart.
    """
    return source_stamp() == _LOADED_SOURCE


@functools.cache
def environment_digest() -> str:
    """Digest of what shapes a drawing besides its arguments, computed once per process.

    The ``analysis`` package's source (:func:`analysis.run.fingerprints.code_fingerprint`: the chart code and
    everything it calls), Python's version, the versions of :data:`VERSIONED` and the fonts the house style
    resolves to.
    """
    from analysis.run.fingerprints import code_fingerprint, digest

    versions = {module: _distribution_version(name) for module, name in sorted(VERSIONED.items())}
    return digest(code_fingerprint(), sys.version, versions, _font_files())


def _settings_digest() -> str:
    """Digest of matplotlib's current settings (a notebook may change them; the charts inherit the rest)."""
    import matplotlib

    return hashlib.sha256(repr(sorted(matplotlib.rcParams.items())).encode()).hexdigest()


class _KeyPickler(pickle.Pickler):
    """A pickler for keys: the same bytes for equal arguments in any process, and no reference to code the key
    does not cover (:class:`Unkeyable`).

    ``persistent_id`` sees every object before it is pickled, and replaces two that would pickle differently for
    equal data:

    - a set, whose order follows its elements' hashes, which for strings change from process to process
      (``PYTHONHASHSEED``): pydantic models keep a set of their fields, so an indicator would pickle differently in
      each notebook's kernel. It is written as its elements in a fixed order;
    - a pandas array (dates, strings, categories), whose pickle carries the values it has cached since it was
      made (a date column's unit once a chart has read it): it is written as a fresh copy, with nothing cached.
    """

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=5)
        self._copies: list[object] = []  # kept alive so that their ids stay theirs while pickling
        self._copy_ids: set[int] = set()

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, set | frozenset):
            elements = sorted(obj, key=lambda e: (type(e).__qualname__, repr(e)))
            return ("set", type(obj).__module__, type(obj).__qualname__, tuple(elements))
        if isinstance(obj, ExtensionArray) and id(obj) not in self._copy_ids:
            copy = obj.copy()
            self._copies.append(copy)
            self._copy_ids.add(id(copy))
            return ("pandas array", copy)
        if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__qualname__")):
            # pickled by name (a class, a function, a compiled function, a method): its code is not in the pickle
            module = getattr(obj, "__module__", None) or ""
            if module.partition(".")[0] not in KEYED_MODULES:
                raise Unkeyable(f"{module}.{getattr(obj, '__qualname__', obj)!s} is not covered by the key")
        return None


def arguments_pickle(arguments: object) -> bytes:
    """The arguments pickled for the key (protocol 5, sets in a fixed order); :class:`Unkeyable` if they cannot be."""
    buffer = io.BytesIO()
    try:
        _KeyPickler(buffer).dump(arguments)
    except Unkeyable:
        raise
    except Exception as error:  # anything pickle raises: this call is drawn, not cached
        raise Unkeyable(f"the arguments cannot be pickled: {error}") from error
    return buffer.getvalue()


def chart_key(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The cache key of ``function(*args, **kwargs)``: hex SHA-256 (:class:`Unkeyable` if it has none).

    Arguments are bound to the signature with defaults applied, so ``f(x)`` and ``f(x, option=default)`` share a
    key.
    """
    bound = inspect.signature(function).bind(*args, **kwargs)
    bound.apply_defaults()
    key = hashlib.sha256()
    for part in (
        f"{function.__module__}.{function.__qualname__}",
        environment_digest(),
        _settings_digest(),
    ):
        key.update(part.encode())
        key.update(b"\0")
    key.update(arguments_pickle(tuple(bound.arguments.items())))
    return key.hexdigest()


# ------------------------------------------------------------------------------------------------ reading and writing
def _is_whole_svg(text: str) -> bool:
    return text.startswith("<svg") and text.rstrip().endswith("</svg>")


def read_entry(path: Path) -> str | None:
    """A cached SVG, touched as used; None when absent, unreadable or not a whole SVG (it is drawn again)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        logger.warning("Drawing again: cached chart %s cannot be read (%s)", path, error)
        return None
    if not _is_whole_svg(text):
        logger.warning("Drawing again: cached chart %s is not a whole SVG", path)
        return None
    with contextlib.suppress(OSError):  # pruned or read-only meanwhile: the text is still good
        os.utime(path)
    return text


def write_entry(path: Path, svg: str) -> None:
    """Keep an SVG under ``path``, atomically; a folder that cannot be written only means no caching."""
    try:
        with atomic_path(path) as temporary:
            temporary.write_bytes(svg.encode("utf-8"))
    except OSError as error:
        logger.warning("Chart not cached in %s (%s)", path.parent, error)


# ------------------------------------------------------------------------------------------------ the decorator
def cached_svg(draw: Callable[P, str]) -> Callable[P, str]:
    """Cache a function that draws a chart and returns its SVG text (see the module's notes).

    The function must be deterministic: same arguments, same bytes (the house style's
    :func:`analysis.products.chart_style.figure_svg` is). The undecorated function is ``__wrapped__``.
    """

    @functools.wraps(draw)
    def cached(*args: P.args, **kwargs: P.kwargs) -> str:
        folder = _folder
        if folder is None:
            return draw(*args, **kwargs)
        if not source_unchanged():
            if not _said_source_changed:
                _said_source_changed.append(True)
                logger.info(
                    "Charts are drawn without the cache: the package's source changed since it was loaded"
                )
            return draw(*args, **kwargs)
        try:
            key = chart_key(draw, args, kwargs)
        except Unkeyable as reason:
            logger.debug("Drawing %s without the cache: %s", draw.__qualname__, reason)
            return draw(*args, **kwargs)
        path = folder / f"{key}{SUFFIX}"
        svg = read_entry(path)
        if svg is None:
            svg = draw(*args, **kwargs)
            if _is_whole_svg(svg):
                write_entry(path, svg)
        return svg

    return cached
