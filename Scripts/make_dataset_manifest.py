#!/usr/bin/env python3
"""Writes Datasets/manifest.json and its embedded Swift copy from the shared data directory.

The manifest lists every file of the data directory (relative path, dataset name, byte size, SHA-256,
canonical public URL, source repository/commit/path) plus the official ChapterBreak files, which are not
in the shared directory and have no published checksum (sha256 and bytes are null: unverified).

The URLs follow the PROVENANCE.md files: every file was copied byte for byte from a git blob, so its
canonical URL is that blob at the recorded commit on raw.githubusercontent.com. (A Project Gutenberg
`cache/epub` URL would serve a different, re-generated file with another checksum.)

Usage: python3 Scripts/make_dataset_manifest.py [--data DIR] [--check]
  --data   the data directory (default: $LONGMEM_EVAL_DATA, else ../shared/datasets beside the repo)
  --check  only compare the generated text with the committed files; exit 1 when they differ

Writes (atomically):
  Datasets/manifest.json
  Sources/LongMemData/Datasets/EmbeddedManifest.swift  (the same bytes as a Swift string literal)
"""

import argparse
import csv
import hashlib
import json
import os
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "Datasets" / "manifest.json"
EMBEDDED = ROOT / "Sources" / "LongMemData" / "Datasets" / "EmbeddedManifest.swift"

LONGMEM_REPO = "Victorwz/LongMem"
LONGMEM_COMMIT = "b7f3c6b8db7471eb507971451f63f67e21c49ebf"

# icl/<folder> in the data directory -> dataset name; files come from data/icl/original/<folder>/.
ICL_DATASETS = {"SST-2": "icl/sst2", "sst-5": "icl/sst5", "mr": "icl/mr", "subj": "icl/subj", "mpqa": "icl/mpqa"}
LONGTEXT_DATASETS = {"pg22_like": "longtext/pg22", "pg19_era": "longtext/pg19", "arxiv": "longtext/arxiv"}

# License files copied beside the long-text files (longtext/PROVENANCE.md). For the two Project Gutenberg
# ones the provenance names the repository family, not one commit: the URL assumes the file as it is at the
# commit of one listed book of that family.
LICENSES = {
    "longtext/pg22_like/LICENSE-gutenbergbooks.txt": (
        "gutenbergbooks/64317", "653801a8485640c1c44ae5cc55ebf4f198766419", "LICENSE.txt",
        "copied from the gutenbergbooks/<PG#> repositories (same text in each); commit assumed"),
    "longtext/pg22_like/LICENSE-GITenberg-ProjectGutenbergLicense.txt": (
        "GITenberg/A-Madman-On-Board_65240", "72a460d30becdaa539634b1e15a18218cf1f463d", "LICENSE",
        "the Full Project Gutenberg License of the GITenberg repositories; commit assumed"),
    "longtext/arxiv/LICENSE-dfm-celerite.txt": ("dfm/celerite", "11d42b67ad97e175c98b31e2d66eee1ff49c10ac", "LICENSE", None),
    "longtext/arxiv/LICENSE-dfm-emcee.txt": ("dfm/emcee", "8ab6c0fcc4afd46db0b401ec0c705d47ade07035", "LICENSE", None),
    "longtext/arxiv/scipy-1.0_1907.10121/LICENSE-scipy-articles.txt": (
        "scipy/scipy-articles", "5498688844f80c965a8511241dee62c3033924e3", "LICENSE", None),
}

# Written by whoever collected the data directory: no public copy exists.
LOCAL_DOCUMENTS = {
    "README.md": "docs",
    "icl/PROVENANCE.md": "icl",
    "gpt2_bpe/PROVENANCE.md": "gpt2_bpe",
    "longtext/PROVENANCE.md": "longtext",
    "longtext/manifest.tsv": "longtext",
    "train/PROVENANCE.md": "train",
    "train/manifest.tsv": "train",
}

# train/manifest.tsv `kind` -> dataset name (books and their licence; papers' LaTeX, bibliographies, licences).
TRAIN_DATASETS = {"book": "train/books", "book-license": "train/books"}

CHAPTERBREAK_CONTEXTS = [256, 512, 1024, 2048, 4096, 6144, 8192]
CHAPTERBREAK_URL = "https://huggingface.co/datasets/simsun131/chapterbreak/resolve/main/chapterbreak_ctx_{n}.json"


def raw_url(repository, commit, path):
    return f"https://raw.githubusercontent.com/{repository}/{commit}/{path}"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def longtext_sources(data):
    """manifest.tsv rows: data-dir-relative path -> (repository, commit, path in repository)."""
    rows = {}
    with open(data / "longtext" / "manifest.tsv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            repository = row["source_repo"]
            rows["longtext/" + row["file"]] = (repository, row["commit"], row["path_in_repo"])
    return rows


def train_sources(data):
    """train/manifest.tsv rows: data-dir-relative path -> (dataset, (repository, commit, path in repository))."""
    rows = {}
    with open(data / "train" / "manifest.tsv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            dataset = TRAIN_DATASETS.get(row["kind"], "train/latex")
            rows["train/" + row["local_path"]] = (dataset, (row["source_repo"], row["commit"], row["path_in_repo"]))
    return rows


def describe(relative, data, longtext, train):
    """(dataset, source or None, note or None) of one data-directory file; raises on an unknown file."""
    parts = relative.split("/")
    if relative in LOCAL_DOCUMENTS:
        return LOCAL_DOCUMENTS[relative], None, "written by the collector of the data directory; no public copy"
    if relative in LICENSES:
        repository, commit, path, note = LICENSES[relative]
        return LONGTEXT_DATASETS[parts[1]], (repository, commit, path), note
    if parts[0] == "icl" and len(parts) == 3 and parts[1] in ICL_DATASETS:
        return ICL_DATASETS[parts[1]], (LONGMEM_REPO, LONGMEM_COMMIT, "data/icl/original/" + "/".join(parts[1:])), None
    if parts[0] == "gpt2_bpe" and len(parts) == 2:
        return "gpt2_bpe", (LONGMEM_REPO, LONGMEM_COMMIT, "gpt2_bpe/" + parts[1]), None
    if relative in longtext:
        return LONGTEXT_DATASETS[parts[1]], longtext[relative], None
    if relative in train:
        return train[relative][0], train[relative][1], None
    raise SystemExit(f"{data / relative}: no provenance rule for this file; add one to {pathlib.Path(__file__).name}")


def entry(relative, dataset, size, digest, url, source, note):
    item = {"path": relative, "dataset": dataset, "bytes": size, "sha256": digest, "url": url}
    item["source"] = None if source is None else {"repository": source[0], "commit": source[1], "path": source[2]}
    if note:
        item["note"] = note
    return item


def build(data):
    longtext = longtext_sources(data)
    train = train_sources(data)
    files = []
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        relative = path.relative_to(data).as_posix()
        dataset, source, note = describe(relative, data, longtext, train)
        url = None if source is None else raw_url(*source)
        files.append(entry(relative, dataset, path.stat().st_size, sha256(path), url, source, note))
    for n in CHAPTERBREAK_CONTEXTS:
        name = f"chapterbreak_ctx_{n}.json"
        files.append(entry(
            "chapterbreak/" + name, "chapterbreak", None, None, CHAPTERBREAK_URL.format(n=n),
            ("simsun131/chapterbreak (Hugging Face dataset)", "main", name),
            "official ChapterBreak; no published checksum or size: unverified until pinned"))
    manifest = {
        "version": 1,
        "description": "Files of the longmem-eval data directory: written by Scripts/make_dataset_manifest.py",
        "files": files,
    }
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def swift_source(text):
    body = "".join(("        " + line if line else "") + "\n" for line in text.split("\n")[:-1])
    return (
        "// Generated by Scripts/make_dataset_manifest.py from Datasets/manifest.json: do not edit.\n"
        "\n"
        "/// The dataset manifest compiled into the binary, so `longmem-eval datasets` works without the\n"
        "/// repository. A test checks that it equals `Datasets/manifest.json` byte for byte.\n"
        "enum EmbeddedManifest {\n"
        "    static let json = #\"\"\"\n"
        f"{body}\n"
        "        \"\"\"#\n"
        "}\n"
    )


def write_atomically(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix="." + path.name + ".")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = os.environ.get("LONGMEM_EVAL_DATA") or str(ROOT.parent / "shared" / "datasets")
    parser.add_argument("--data", default=default)
    parser.add_argument("--check", action="store_true")
    arguments = parser.parse_args()
    data = pathlib.Path(arguments.data)
    if not (data / "longtext" / "manifest.tsv").is_file():
        raise SystemExit(f"{data}: not a data directory (no longtext/manifest.tsv); pass --data DIR")
    text = build(data)
    outputs = {MANIFEST: text, EMBEDDED: swift_source(text)}
    if arguments.check:
        stale = [str(p.relative_to(ROOT)) for p, t in outputs.items() if not p.exists() or p.read_text("utf-8") != t]
        if stale:
            raise SystemExit("out of date: " + ", ".join(stale) + " (run Scripts/make_dataset_manifest.py)")
        print("manifest up to date")
        return
    for path, content in outputs.items():
        write_atomically(path, content)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
