"""The playground end to end, as a user meets it: the real server (``python -m neuralab
playground``) and the page in headless Chromium (Debian's chromium, driven by Playwright).
Choose spirals, tanh and Adam, press play: the test loss the page shows falls below a
threshold within a bounded time, the boundary image changes, a second tab opened from the
link gets the same configuration and its own session, the downloaded script runs to a
similar loss, and nothing logs an error. Choose MNIST and an MLP, press play: the test
accuracy passes a threshold, the image views are drawn and the image script runs. Skipped
when Playwright or Chromium is missing, unless NEURALAB_REQUIRE_SYSTEM=1 (as on CI)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
from chromium import chromium_or_skip
from exported_script import run_exported

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import neuralab as nl
from neuralab.lab.browser import FLAGS
from neuralab.playground.browser import serve

THRESHOLD = 0.2  # test cross-entropy; chance is ln 2 = 0.693
SECONDS = 90  # to get there (a few seconds on an idle core)
SHOWN = "!isNaN(parseFloat(document.getElementById('test-loss').textContent))"  # a snapshot


def _watch(page, problems: list[str]) -> None:
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None,
    )
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))


@contextlib.contextmanager
def _open_page(viewport: dict | None = None) -> Iterator[tuple]:
    """The real server and a headless Chromium page on it (Playwright), watched: yields
    (url, page, new_tab), new_tab() opening another watched page; afterwards, no page may
    have logged an error."""
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    problems: list[str] = []
    with serve() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            page = browser.new_page(**({"viewport": viewport} if viewport else {}))
            page.set_default_timeout(30_000)
            _watch(page, problems)

            def new_tab():
                tab = browser.new_page()
                _watch(tab, problems)
                return tab

            yield url, page, new_tab
        finally:
            browser.close()
    assert problems == []


def _test_loss(page) -> float:
    return float(page.text_content("#test-loss"))


def _wait_for_number(page, element: str, condition: str, seconds: float) -> float:
    """Wait until the number shown in ``#element`` meets ``condition`` (JavaScript over
    ``v``, e.g. ``"v < 0.1"``); returns that number. Training runs on the server, so frames
    sent before a pause may still land after it: assert this value, not a later read."""
    return page.wait_for_function(
        f"""() => {{
            const v = parseFloat(document.getElementById('{element}').textContent);
            return ({condition}) ? v : false;
        }}""",
        timeout=seconds * 1000,
    ).json_value()


def test_spirals_train_in_the_browser(tmp_path):
    with _open_page({"width": 1280, "height": 900}) as (url, page, new_tab):
        page.goto(url)
        page.wait_for_function(SHOWN)
        start_loss = _test_loss(page)
        page.select_option("#dataset", "spiral")
        page.select_option("#activation", "tanh")
        page.select_option("#optimizer", "adam")
        for feature in ("sin_x1", "sin_x2"):
            page.check(f"#features input[value={feature}]")
        for layer in page.query_selector_all("#layers input"):
            layer.fill("8")
            layer.dispatch_event("change")
        page.wait_for_function(
            "['dataset=spiral', 'activation=tanh', 'optimizer=adam', 'hidden=8%2C8',"
            " 'sin_x2'].every(part => location.hash.includes(part))"
        )
        # Adam's hyperparameters show, SGD momentum's do not
        assert page.is_visible("#beta1") and page.is_visible("#beta2")
        assert page.is_hidden("#momentum") and page.is_hidden("#alpha")
        assert page.input_value("#beta2") == "0.999"
        before = page.evaluate("document.getElementById('boundary').toDataURL()")
        page.click("#play")
        final_loss = _wait_for_number(page, "test-loss", f"v < {THRESHOLD}", SECONDS)
        assert page.text_content("#play") == "Pause"
        page.click("#play")
        assert page.text_content("#play") == "Play"
        assert final_loss < THRESHOLD < start_loss
        assert int(page.text_content("#epoch")) > 0
        after = page.evaluate("document.getElementById('boundary').toDataURL()")
        assert after != before
        neurons = page.query_selector_all("#neurons canvas")
        assert len(neurons) == 16
        # the diagnosis: a header and one row per layer (3 Linear, 2 Tanh)
        rows = page.evaluate(
            "Array.from(document.querySelectorAll('#diagnosis tr'),"
            " row => Array.from(row.cells, cell => cell.textContent).slice(0, 2))"
        )
        assert rows[1:] == [["0", "Linear"], ["1", "Tanh"], ["2", "Linear"], ["3", "Tanh"],
                            ["4", "Linear"]]  # fmt: skip

        # the weights' diagram: pointing at the line from feature 0 to unit 0 of layer 1
        page.hover("#network", position={"x": 80, "y": 22})
        info = page.text_content("#weight-info")
        number = r"-?\d+(\.\d+)?(e-?\d+)?"  # the gradient: 3 significant digits
        assert re.fullmatch(rf"layer 1: w\[0, 0\] = -?\d+\.\d{{3}}, dL/dw = {number}", info)
        blank = page.evaluate(
            "(() => { const c = document.getElementById('network');"
            " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " return d.every(v => v === 0); })()"
        )
        assert not blank

        # a click on the picture traces that point: the top left corner is (-6, 6)
        page.click("#boundary", position={"x": 1, "y": 1})
        page.wait_for_function("document.getElementById('trace').textContent !== ''")
        lines = page.inner_text("#trace").splitlines()
        assert lines[0].startswith("point (-5.9") and "P(label 1) = " in lines[0]
        assert lines[1].startswith("inputs: x1 -5.9")
        assert [line.split(" ")[1] for line in lines[2:7]] == ["Linear:", "Tanh:"] * 2 + ["Linear:"]
        # and back: the loss, then the chain rule's factors from the last layer down
        assert re.fullmatch(r"backward, target [01]: loss \S+", lines[7]), lines[7]
        factors = [line.split(": ")[1].split(" ")[0] for line in lines[8:]]
        assert factors == ["dL/dz", "dL/dW", "dL/da", "da/dz", "dL/dz"] * 2 + [
            "dL/dz",
            "dL/dW",
        ]
        assert lines[-1].startswith("0 Linear: dL/dW = dL/dz") and lines[-1].endswith("]]")

        # a second tab opened from the link: the same configuration, its own session
        link = page.url
        assert "#" in link
        second = new_tab()
        second.goto(link)
        second.wait_for_function(SHOWN)
        assert second.input_value("#dataset") == "spiral"
        assert second.input_value("#optimizer") == "adam"
        assert second.is_checked("#features input[value=sin_x1]")
        assert second.text_content("#epoch") == "0"
        first_epoch = int(page.text_content("#epoch"))
        assert first_epoch > 0  # the first tab kept its training
        # both tabs playing at once, on different data: each advances on its own
        second.select_option("#dataset", "xor")
        second.wait_for_function("location.hash.includes('dataset=xor')")
        second.click("#play")
        page.click("#play")
        page.wait_for_function(
            f"parseInt(document.getElementById('epoch').textContent) > {first_epoch + 5}"
        )
        second.wait_for_function("parseInt(document.getElementById('epoch').textContent) > 5")
        page.click("#play")
        second.click("#play")
        assert page.input_value("#dataset") == "spiral" and "dataset=spiral" in page.url
        assert second.input_value("#dataset") == "xor"

        # the downloaded script runs and reaches a similar loss
        with page.expect_download() as download:
            page.click("#export")
        script = tmp_path / "exported.py"
        download.value.save_as(script)
        with page.expect_download() as download:
            page.click("#weights")
        weights = tmp_path / download.value.suggested_filename
        download.value.save_as(weights)
        second.close()
        page.close()
    state = nl.load(weights)  # the trained weights, as neuralab.save wrote them
    assert weights.suffix == ".safetensors" and state["0.weight"].shape == (8, 4)
    exported_loss = float(re.findall(r"test loss (\S+)", run_exported(script))[-1])
    assert exported_loss < THRESHOLD


def test_a_link_with_a_refused_setting_says_so_and_starts_from_the_defaults():
    with _open_page() as (url, page, _new_tab):
        page.goto(url + "#dataset=xor&lr=-3")
        page.wait_for_function(SHOWN)
        assert page.is_visible("#error")
        assert "lr: expected a number in (0, 10], got -3" in page.text_content("#error")
        assert page.input_value("#lr") == "0.03" and page.input_value("#dataset") == "circles"
        assert "lr=0.03" in page.evaluate("location.hash")
        page.fill("#lr", "0")  # a bad value typed in: refused, the control goes back
        page.dispatch_event("#lr", "change")
        page.wait_for_function("document.getElementById('error').textContent.startsWith('lr:')")
        assert page.text_content("#error").startswith("lr: expected a number in (0, 10]")
        assert page.input_value("#lr") == "0.03"


IMAGE_THRESHOLD = 0.85  # test accuracy on the 1,000 test images; chance is 0.1
IMAGE_SECONDS = 60  # to get there (one epoch, a second or two on an idle core)


def test_an_mnist_mlp_trains_in_the_browser(tmp_path, neuralab_data):
    """Choose MNIST: the page switches to the image views and the image settings; press
    play: the test accuracy passes IMAGE_THRESHOLD, the sample predictions, the confusion
    matrix and the filters are drawn; the link reopens the same configuration; LeNet-5
    hides the MLP's controls; the downloaded script runs and trains."""
    with _open_page({"width": 1280, "height": 900}) as (url, page, new_tab):
        page.goto(url)
        page.wait_for_function(SHOWN)
        page.select_option("#dataset", "mnist")
        page.wait_for_function(
            "document.body.dataset.mode === 'image' && location.hash.includes('dataset=mnist')"
            " && document.querySelectorAll('#samples figure').length === 16"
        )
        # the controls now show the server's image settings: a 784-64-10 MLP, Adam
        assert page.input_value("#architecture") == "mlp"
        assert page.input_value("#optimizer") == "adam"
        assert [i.input_value() for i in page.query_selector_all("#layers input")] == ["64"]
        assert page.is_hidden("#boundary") and page.is_hidden("#features")
        assert page.is_visible("#confusion") and page.is_visible("#train_size")
        start_accuracy = float(page.text_content("#test-accuracy"))
        page.click("#play")
        reached = _wait_for_number(page, "test-accuracy", f"v > {IMAGE_THRESHOLD}", IMAGE_SECONDS)
        assert reached > IMAGE_THRESHOLD
        page.click("#play")
        assert start_accuracy < 0.3 and int(page.text_content("#epoch")) >= 1
        # the samples: 16 test images, each with its prediction; wrong ones marked
        figures = page.evaluate(
            "Array.from(document.querySelectorAll('#samples figure'), f =>"
            " [f.dataset.label, f.dataset.predicted, f.classList.contains('wrong'),"
            " f.querySelector('figcaption').textContent])"
        )
        assert len(figures) == 16
        for label, predicted, wrong, caption in figures:
            assert wrong == (label != predicted) and caption.endswith(f"({label})")
        assert sum(label == predicted for label, predicted, _, _ in figures) >= 10
        # the matrix and the accuracy of one frame (read together: a frame sent before the
        # pause may still land) agree: its diagonal is the number of right answers
        info, shown = page.evaluate(
            "['confusion-info', 'test-accuracy'].map(id => document.getElementById(id).textContent)"
        )
        right = int(re.search(r"1000 test images, (\d+) on the diagonal", info).group(1))
        assert right == round(float(shown) * 1000)
        assert len(page.query_selector_all("#filters canvas")) == 16
        assert not page.evaluate(
            "(() => { const c = document.getElementById('confusion');"
            " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " return d.every(v => v === 0); })()"
        )
        rows = page.evaluate(
            "Array.from(document.querySelectorAll('#image-diagnosis tr'),"
            " row => row.cells[1].textContent)"
        )
        assert rows == ["kind", "Linear", "ReLU", "Linear"]

        # the link reopens the image configuration in a new tab
        second = new_tab()
        second.goto(page.url)
        second.wait_for_function("document.querySelectorAll('#samples figure').length === 16")
        assert second.input_value("#dataset") == "mnist"
        assert second.input_value("#test_size") == "1000"
        assert [i.input_value() for i in second.query_selector_all("#layers input")] == ["64"]
        second.close()

        with page.expect_download() as download:
            page.click("#export")
        script = tmp_path / "exported_mnist.py"
        download.value.save_as(script)

        # LeNet-5: its first layer's 6 kernels; the MLP's controls hidden
        page.select_option("#architecture", "lenet5")
        page.wait_for_function("document.querySelectorAll('#filters canvas').length === 6")
        assert "architecture=lenet5" in page.url
        assert page.is_hidden("#layers") and page.is_hidden("#dropout")
        page.close()
    output = run_exported(script, neuralab_data)
    accuracy = float(re.findall(r"test accuracy (\S+)", output)[-1])
    assert accuracy > IMAGE_THRESHOLD


def test_missing_image_files_are_a_message_naming_the_folder_and_the_variable(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("NEURALAB_DATA", str(tmp_path / "data"))  # the server's environment
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with _open_page() as (url, page, _new_tab):
        page.goto(url)
        page.wait_for_function(SHOWN)
        page.select_option("#dataset", "fashion-mnist")
        page.wait_for_function("!document.getElementById('error').hidden")
        message = page.text_content("#error")
        assert message.startswith("dataset: the Fashion-MNIST files were not found")
        assert str(tmp_path / "data") in message and "fashion-mnist/" in message
        assert "NEURALAB_DATA" in message
        # the page stays on the data set the server has
        assert page.input_value("#dataset") == "circles"
        assert page.evaluate("document.body.dataset.mode") == "points"


def test_a_regression_set_trains_in_the_browser():
    with _open_page({"width": 1280, "height": 900}) as (url, page, _new_tab):
        page.goto(url + "#dataset=sine&noise=0.1&hidden=8,8&optimizer=adam")
        page.wait_for_function(SHOWN)
        start_loss = _test_loss(page)
        assert page.text_content("#test-accuracy").endswith(" (regression)")
        page.click("#play")
        reached = _wait_for_number(page, "test-loss", "v < 0.1", SECONDS)  # from about 0.6
        assert reached < 0.1 < start_loss  # the mean squared error
        page.click("#play")
        # a click on the plot: x1 from across, the target from the height (top: +2)
        page.click("#boundary", position={"x": 150, "y": 75})
        page.wait_for_function("document.getElementById('trace').textContent !== ''")
        lines = page.inner_text("#trace").splitlines()
        assert re.match(r"point \(-?0\.0\d+, 0\.000\): prediction -?\d\.\d{3}$", lines[0])
        target = float(re.match(r"backward, target (\S+):", lines[7]).group(1))
        assert target == pytest.approx(1.0, abs=0.05)
        assert [line.split(" ")[1] for line in lines[2:7]] == ["Linear:", "Tanh:"] * 2 + ["Linear:"]
