"""The documentation site builds with ``mkdocs build --strict`` (broken links, pages
left out of the navigation and docstrings mkdocstrings cannot read fail it), every page
of docs/ is in the navigation, and the generated command and API references hold what
they should. Needs the ``docs`` extra (``make docs`` installs it); without it the tests
skip, unless NEURALAB_REQUIRE_SYSTEM=1 (CI), where they fail."""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from neuralab.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _mkdocs_available() -> bool:
    try:
        import mkdocs  # noqa: F401
        import mkdocstrings  # noqa: F401
    except ImportError:
        if os.environ.get("NEURALAB_REQUIRE_SYSTEM") == "1":
            pytest.fail("mkdocs is not installed (the docs extra: make docs)")
        return False
    return True


needs_mkdocs = pytest.mark.skipif(
    not _mkdocs_available(), reason="needs the docs extra (pip install -e '.[docs]')"
)


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built once for this module's tests."""
    out = tmp_path_factory.mktemp("site")
    done = mkdocs_build(ROOT / "mkdocs.yml", out)
    assert done.returncode == 0, done.stderr[-4000:]
    return out


def text_of(page: Path) -> str:
    """The visible text of a built page's article."""
    source = page.read_text()
    article = source[source.index("<article") : source.index("</article>")]
    return html.unescape(re.sub(r"<[^>]+>", " ", article))


def nav_pages(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [p for item in nav for p in nav_pages(item)]
    return [p for value in nav.values() for p in nav_pages(value)]


def config() -> dict:
    return yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.SafeLoader)


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    listed = nav_pages(config()["nav"])
    on_disk = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(listed) == on_disk
    assert len(listed) == len(set(listed))  # no page twice


@needs_mkdocs
def test_a_page_left_out_of_the_nav_fails_the_strict_build(tmp_path):
    settings = config()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "docs" / "orphan.md").write_text("# Orphan\n")
    for key in ("hooks", "plugins"):
        settings.pop(key)
    settings["nav"] = [{"Home": "index.md"}]
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(settings))
    done = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0
    assert "orphan.md" in done.stderr and "nav" in done.stderr


@needs_mkdocs
def test_the_site_builds_strictly_and_opens_from_files(site):
    assert (site / "index.html").is_file()
    for page in DOCS.rglob("*.md"):
        assert (site / page.relative_to(DOCS).with_suffix(".html")).is_file(), page
    home = (site / "index.html").read_text()
    assert 'href="guide/install.html"' in home  # file links, not directory URLs
    assert (site / "images" / "momentum-1.png").is_file()


def _parsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {"neuralab": parser, **{f"neuralab {k}": v for k, v in commands.choices.items()}}


@needs_mkdocs
def test_the_command_reference_is_rendered_from_the_parsers(site):
    text = text_of(site / "reference" / "cli.html")
    assert "<!-- cli-reference -->" not in text
    parsers = _parsers()
    assert {"neuralab train", "neuralab lab", "neuralab tune"} <= set(parsers)
    for title, parser in parsers.items():
        assert title in text
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            for option in action.option_strings:
                assert option in text, (title, option)
            if action.help and action.help is not argparse.SUPPRESS:
                words = " ".join(action.help.split())[:40]
                assert words in " ".join(text.split()), (title, words)
    assert "runs/train" in text  # a default (train --out)
    assert "digits, mnist, fashion-mnist, synthetic" in text  # choices


AREAS = {
    "tensor": ["tensor.Tensor", "tensor.Tensor.backward", "autograd", "autograd.gradcheck"],
    "creation": ["creation", "creation.tensor", "creation.randn"],
    "nn": ["nn.Module", "nn.Linear", "nn.Conv2d", "nn.LSTM", "nn.BatchNorm1d", "nn.init"],
    "functional": ["functional", "functional.cross_entropy", "functional.conv2d"],
    "losses": ["losses", "losses.mse_loss", "losses.cross_entropy"],
    "optim": ["optim.SGD", "optim.Adam", "optim.lr_scheduler.OneCycleLR", "optim.lr_scheduler"],
    "data": ["data.DataLoader", "data.MNIST", "data.train_val_split", "vision"],
    "training": ["train.fit", "train.History", "callbacks.EarlyStopping", "metrics.accuracy"],
    "inspect": ["inspect.summary", "inspect.trace", "inspect.diagnose"],
    "io": ["io.save", "io.load"],
    "models": ["models.MLP", "models.LeNet5", "perceptron.Perceptron", "gan.train_gan"],
    "registry": ["registry", "registry.make_optimizer", "registry.load_splits"],
    "keras": ["keras", "keras.Sequential", "keras.Model.summary"],
    "lab": ["lab.Study", "lab.run_studies", "lab.findings.Difference", "lab.toolkit"],
    "tune": ["tune.TuneConfig", "tune.DataConfig", "tune.run"],
}  # fmt: skip


@needs_mkdocs
@pytest.mark.parametrize("page", sorted(AREAS))
def test_each_api_page_documents_its_area(site, page):
    """Each API page has a section (an anchor) for the main objects of its area, and
    every ``::: module`` directive was rendered."""
    source = (site / "api" / f"{page}.html").read_text()
    for name in AREAS[page]:
        assert f'id="neuralab.{name}"' in source, (page, name)
    assert "::: neuralab" not in text_of(site / "api" / f"{page}.html")
    directives = re.findall(r"^::: (\S+)", (DOCS / "api" / f"{page}.md").read_text(), re.M)
    for module in directives:
        assert f'id="{module}"' in source, module
