"""The README's set-up commands and CI agree, and its Python examples run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_exactly_the_readme_test_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    install_and_run, install_and_test = blocks[0], blocks[1]
    assert "gdmaps analyze" in install_and_run
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert install_and_test in ci_lines


def test_python_examples_run_in_order(tmp_path, monkeypatch):
    # the README's Python blocks form one session (later blocks use earlier names)
    blocks = re.findall(r"```python\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)  # sweep(path="sweep.jsonl") writes here
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    # the resumable sweep file: a header, then one row per step size
    assert len((tmp_path / "sweep.jsonl").read_text().splitlines()) == 1 + 21
