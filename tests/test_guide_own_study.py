"""The guide's "Writing your own study" example runs as written and its findings say
what the page says they say."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "lab/own-study.md"


def test_the_own_study_example_runs_and_reports_findings(tmp_path, monkeypatch):
    (block,) = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "width.py"
    script.write_text(block)
    runpy.run_path(str(script), run_name="__main__")
    entry = json.loads((tmp_path / "runs/width/results.json").read_text())["studies"]["width"]
    found = {f["key"]: f for f in entry["findings"]}
    assert set(found) == {"final_mse_order", "final_mse:width 32-width 2"}
    difference = found["final_mse:width 32-width 2"]
    assert difference["better"] == "width 32"  # the wider layer fits sin(3x) better
    assert difference["outcome"] in ("significant", "noise")
    assert found["final_mse_order"]["labels"] == ["width 32", "width 2"]
    page = (tmp_path / "runs/width/index.html").read_text()
    assert "Width 32 has the better final MSE" in page  # a sentence starts with a capital
