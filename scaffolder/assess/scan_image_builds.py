"""After the walk: the images CI builds, read against the repository (a whole-tree pass).

A build step records the Dockerfiles it names (`parse_ci.built_dockerfiles`); here each is
matched to the Dockerfile the walk parsed (Docker also reads a lowercase `dockerfile`), and a
build whose context folder the repository does not hold is marked `missing` (it builds nothing
of the repository's). A Terraform local-exec build is read from the folder `terraform apply`
runs in (the module's or one above it: the first whose Dockerfiles the repository holds). An
image started by a shell script it copies (`ENTRYPOINT ["/app/start.sh"]`) is marked
`script_serves` when that script starts a server (uvicorn, gunicorn, flask...).
`checks/pipelines_images.py` reads these."""

from __future__ import annotations

import posixpath
from pathlib import Path

from scaffolder.assess.models import Fact
from scaffolder.assess.parse_dockerfile import SERVING
from scaffolder.assess.scan_file import _text


def image_builds(root: Path, facts: list[Fact]) -> None:
    images = {f.path.lower(): f for f in facts if f.kind == "docker.image"}
    for step in facts:
        if step.kind != "ci.step.build_image" or not step.detail.get("dockerfiles"):
            continue
        named = [str(n) for n in step.detail["dockerfiles"]]
        step.detail["dockerfiles"] = [
            images[n.lower()].path if n.lower() in images else n for n in named
        ]
        folders = {posixpath.dirname(n) for n in named} - {"", "."}
        if folders and not any((root / folder).is_dir() for folder in folders):
            step.detail["missing"] = True
    for build in facts:
        if build.kind == "iac.build_image" and build.detail.get("dockerfiles_from"):
            found = [
                [images[str(n).lower()].path for n in names]
                for names in build.detail.pop("dockerfiles_from")
                if names and all(str(n).lower() in images for n in names)
            ]
            if found:
                build.detail["dockerfiles"] = found[0]
    for image in images.values():
        scripts = [e for e in image.detail.get("entry") or [] if str(e).endswith(".sh")]
        if scripts and _script_serves(root, image, scripts):
            image.detail["script_serves"] = True


def _script_serves(root: Path, image: Fact, scripts: list[str]) -> bool:
    """A script the image runs (found by its name among what the Dockerfile copies, from the
    root or the Dockerfile's folder) that starts a server."""
    folder = posixpath.dirname(image.path)
    for script in scripts:
        name = posixpath.basename(script)
        sources = [str(c) for c in image.detail.get("copies") or [] if str(c).endswith(name)]
        for source in sources:
            for base in ("", folder):
                path = posixpath.normpath(posixpath.join(base, source.removeprefix("./") or "."))
                full = root / path
                if path.startswith("..") or not full.is_file():
                    continue
                text = _text(str(full))
                if text and SERVING.search(text):
                    return True
    return False
