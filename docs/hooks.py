"""MkDocs hook: the benchmarks' figures, written into benchmarks/results/ by the scripts that
measure them, are served beside the results pages (``results/NAME.png``) without a copy in docs/."""
from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

FIGURES = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def on_files(files: Files, config) -> Files:
    for figure in sorted(FIGURES.glob("*.png")):
        files.append(File(f"results/{figure.name}", src_dir=str(FIGURES.parent), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    return files
