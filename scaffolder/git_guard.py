"""Git in a checkout the platform does not own: a team's `.git/config` runs none of its programs.

A fleet job runs git in every team's checkout (`fleet --dir`) with the platform's credentials.
A checkout's own config (`.git/config`, its worktree config and any file it includes) can name
programs git would run: hooks, `core.fsmonitor`, `core.sshCommand`, filter and diff drivers,
credential helpers, `remote.*.receivepack`... Two controls, both on while a fleet policy is set
(`scaffolder.trust.set_policy`):

- `guard(True)` sets, for every git the process runs, config of the highest precedence (the
  `GIT_CONFIG_COUNT` environment, as `git -c` would) that switches hooks and fsmonitor off,
  and limits transports to file, git, http(s) and ssh (no `ext::` commands); no prompts.
- `refuse_own_programs(repo)` refuses a checkout whose own config names any other program,
  moves git outside the checkout (`core.worktree`, `include.path`) or steers its connections
  (a proxy, TLS checks off, URL rewrites): one line naming the setting. The platform's own
  (system and global) config is the platform's and stays.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from scaffolder.errors import ScaffoldError

# Settings that win over any file's, hooks and fsmonitor being the two a checkout commonly
# sets for its own developers (husky's core.hooksPath): switched off rather than refused.
GIT_CONFIG = (
    ("core.hooksPath", "/dev/null"),
    ("core.fsmonitor", "false"),
    ("protocol.ext.allow", "never"),
    ("log.showSignature", "false"),
)
GIT_ENV = {
    "GIT_ALLOW_PROTOCOL": "file:git:http:https:ssh",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_EDITOR": "true",
}

# What a checkout's own config may not set (git lowercases section and key; a subsection, the
# middle part, keeps its case).
_RUNS_OR_STEERS = re.compile(
    r"^(?:core\.(?:sshcommand|gitproxy|askpass|editor|pager|alternaterefscommand|worktree)"
    r"|sequence\.editor|diff\.external|pager\..+|credential\.(?:.+\.)?helper"
    r"|filter\..+\.(?:clean|smudge|process)|diff\..+\.(?:textconv|command)|merge\..+\.driver"
    r"|gpg\.(?:.+\.)?program|remote\..+\.(?:uploadpack|receivepack|vcs)"
    r"|uploadpack\.packobjectshook|include\.path|includeif\..+\.path"
    # where the platform's credentials go: a proxy with TLS checks off would read its tokens
    r"|http\.(?:.+\.)?(?:proxy|proxyauthmethod|sslverify|sslcainfo|sslcapath|sslcert|sslkey"
    r"|sslcertpasswordprotected|pinnedpubkey|extraheader|cookiefile|curloptresolve|emptyauth"
    r"|delegation)|remote\..+\.proxy|url\..+\.(?:insteadof|pushinsteadof)|ssh\.variant)$",
    re.IGNORECASE,
)
_OWN_SCOPES = ("local", "worktree")

_saved: dict[str, str | None] | None = None


class RepoConfigRefused(ScaffoldError):
    """A checkout's own git config names a program git would run for the fleet job."""


def guard(on: bool) -> None:
    """Switch the process's git guard on (saving what it replaces) or off (restoring it)."""
    global _saved
    if on and _saved is None:
        count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
        values = dict(GIT_ENV)
        for i, (key, value) in enumerate(GIT_CONFIG, start=count):
            values[f"GIT_CONFIG_KEY_{i}"] = key
            values[f"GIT_CONFIG_VALUE_{i}"] = value
        values["GIT_CONFIG_COUNT"] = str(count + len(GIT_CONFIG))
        _saved = {key: os.environ.get(key) for key in values}
        os.environ.update(values)
    elif not on and _saved is not None:
        for key, value in _saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _saved = None


def own_settings(repo: Path) -> list[tuple[str, str]]:
    """(key, value) of every setting in the checkout's own config files, includes followed.
    Reading config runs nothing."""
    from scaffolder.gitops import run_git

    out = run_git(repo, "config", "--list", "--show-scope", "--includes", "-z")
    tokens = out.split("\0")
    found = []
    for scope, entry in zip(tokens[0::2], tokens[1::2], strict=False):
        if scope in _OWN_SCOPES:
            key, _, value = entry.partition("\n")
            found.append((key, value))
    return found


def refuse_own_programs(repo: Path) -> None:
    """Refuse a checkout whose own git config names a program or leads git outside it."""
    from scaffolder.errors import GitError

    if not repo.is_dir():
        return  # reported as it is by the caller's own checks
    try:
        settings = own_settings(repo)
    except GitError:
        return  # not a repository, or git cannot read it: the caller's checks say so
    bad = sorted({key for key, _ in settings if _RUNS_OR_STEERS.match(key)})
    if bad:
        raise RepoConfigRefused(
            f"{repo}'s own git config sets {', '.join(bad)}, which would make git run a program "
            "of the repository's, leave the checkout or steer where the platform's credentials "
            "go; a fleet job allows none: remove the setting, or list the repository by its "
            "clone URL in --repos-file (a fresh clone)"
        )
    _refuse_elsewhere(repo)


def _refuse_elsewhere(repo: Path) -> None:
    """The checkout must be a repository of its own: a `.git` file or link leading to another
    repository (one the platform can write, say), or a folder inside another repository's work
    tree, would make the fleet job commit and push there."""
    from scaffolder.errors import GitError
    from scaffolder.gitops import run_git

    try:
        out = run_git(repo, "rev-parse", "--show-toplevel", "--absolute-git-dir")
    except GitError:
        return  # not a repository: the caller's checks say so
    top, git_dir = out.splitlines()[:2]
    here = repo.resolve()
    if Path(top).resolve() != here:
        raise RepoConfigRefused(
            f"{repo} is inside the repository {top}, not a repository of its own; list the "
            "repository's own checkout"
        )
    if not Path(git_dir).resolve().is_relative_to(here):
        raise RepoConfigRefused(
            f"{repo}'s .git leads to {git_dir}, outside the checkout; a fleet job works only in "
            "a checkout's own repository: list its clone URL in --repos-file instead"
        )
