#!/usr/bin/env python3
"""Builds the image of docs/benchmarks.md's image comparison as a `docker save` archive from this
machine's real files: os-release, the whole dpkg database (status and every info/*.list), two Go
binaries of the Google Cloud CLI packages, and a corpus Gemfile.lock. One uncompressed layer, as
`docker save` writes layers. Usage: scripts/bench-image.py OUT.tar
"""
import glob
import hashlib
import io
import json
import sys
import tarfile

GO_BINARIES = [
    "/usr/lib/google-cloud-sdk/bin/cbt",
    "/usr/lib/google-cloud-sdk/bin/gke-gcloud-auth-plugin",
]
GEMFILE = "engine/tests/fixtures/corpus/gem/openstreetmap__openstreetmap-website/Gemfile.lock"


def add(t, name, path=None, data=None, mode=0o644):
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    t.addfile(info, io.BytesIO(data))


def main(out):
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.GNU_FORMAT) as t:
        add(t, "usr/lib/os-release", "/usr/lib/os-release")
        link = tarfile.TarInfo("etc/os-release")
        link.type = tarfile.SYMTYPE
        link.linkname = "../usr/lib/os-release"
        t.addfile(link)
        add(t, "var/lib/dpkg/status", "/var/lib/dpkg/status")
        for f in sorted(glob.glob("/var/lib/dpkg/info/*.list")):
            add(t, f.lstrip("/"), f)
        for b in GO_BINARIES:
            add(t, "usr/bin/" + b.rsplit("/", 1)[1], b, mode=0o755)
        add(t, "srv/app/Gemfile.lock", GEMFILE)
    layer = layer.getvalue()
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["cairn-bench/debian:12"], "Layers": ["l/layer.tar"]}]).encode()
    with tarfile.open(out, mode="w", format=tarfile.GNU_FORMAT) as t:
        add(t, config_name, data=config)
        add(t, "l/layer.tar", data=layer)
        add(t, "manifest.json", data=manifest)


if __name__ == "__main__":
    main(sys.argv[1])
