"""Compiled Jinja templates, kept between runs: a render compiles each template once per machine.

A level-3 render holds about a hundred file bodies and nine hundred path parts and question
values; copier compiles every one of them anew on each run (Jinja's parser and code generator are
most of a render's time). `install(env)` gives copier's environment
- a bytecode cache for the file bodies, keyed by template name and source (not by the file's
  path: copier renders from a fresh temporary copy each time), and
- a cached `from_string` for path parts and question values, in memory (a folder's name part
  repeats for every file under it) and on disk, keyed by the source.

The cache lives in the tool's cache folder (`$MLOPS_SCAFFOLD_CACHE`, else
`$XDG_CACHE_HOME/mlops-scaffold` or `~/.cache/mlops-scaffold`), in a subfolder per Jinja
version, Python bytecode version and environment settings, so a change to any of them starts a
new cache. It is only a cache: when it cannot be written, rendering goes on without it. Only the
built-in templates use it (see `scaffolder.render`): an overlay's templates are compiled on
every run, so their errors name their files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from jinja2 import Environment, Template
from jinja2.bccache import Bucket, FileSystemBytecodeCache

CACHE_ENV = "MLOPS_SCAFFOLD_CACHE"  # the tool's cache folder, shared with fetched overlays


def cache_root() -> Path:
    """The tool's cache folder: $MLOPS_SCAFFOLD_CACHE, else the user's cache folder."""
    from scaffolder.overlay_fetch import cache_dir

    return cache_dir()


def _settings_digest(env: Environment) -> str:
    """What the compiled code depends on besides the source."""
    import jinja2

    settings = [
        jinja2.__version__, sys.implementation.cache_tag, type(env).__qualname__,
        sorted(env.extensions), env.block_start_string, env.block_end_string,
        env.variable_start_string, env.variable_end_string, env.comment_start_string,
        env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        env.optimized, repr(env.autoescape), env.is_async,
    ]  # fmt: skip
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:16]


class _SourceKeyedCache(FileSystemBytecodeCache):
    """Buckets keyed by the template's name and source, never by its (temporary) path."""

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        checksum = self.get_source_checksum(source)
        bucket = Bucket(environment, self.get_cache_key(f"{name}\0{checksum}"), checksum)
        self.load_bytecode(bucket)
        return bucket

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # only a cache: a full disk must not fail a render
            super().dump_bytecode(bucket)


def _folder(env: Environment) -> Path | None:
    folder = cache_root() / f"jinja-{_settings_digest(env)}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK | os.X_OK) else None


def install(env: Environment) -> None:
    """Cache what `env` compiles (file bodies and `from_string`), in memory and on disk."""
    folder = _folder(env)
    disk = _SourceKeyedCache(str(folder)) if folder is not None else None
    if disk is not None:
        env.bytecode_cache = disk
    compiled: dict[str, Template] = {}
    from_string = env.from_string
    get_template = env.get_template

    def cached_from_string(source: Any, globals=None, template_class=None) -> Template:  # noqa: A002
        if globals is not None or template_class is not None or not isinstance(source, str):
            return from_string(source, globals, template_class)
        # Extensions reset per-template state while preprocessing (copier's yield tag): do
        # that on every use, compiled or not.
        env.preprocess(source)
        template = compiled.get(source)
        if template is None:
            code = None
            if disk is not None:
                bucket = disk.get_bucket(env, "<string>", None, source)
                code = bucket.code
            if code is None:
                code = env.compile(source)
                if disk is not None:
                    bucket.code = code
                    disk.dump_bytecode(bucket)
            template = env.template_class.from_code(env, code, env.make_globals(None), None)
            compiled[source] = template
        return template

    def reset_then_get_template(*args: Any, **kwargs: Any) -> Template:
        env.preprocess("")  # as above: a cached body is not preprocessed by Jinja
        return get_template(*args, **kwargs)

    env.from_string = cached_from_string  # type: ignore[method-assign]
    env.get_template = reset_then_get_template  # type: ignore[method-assign]
