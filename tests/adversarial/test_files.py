"""Hostile files and faults: the safetensors and IDX readers under fuzzing, gzip bombs and
endless streams (bounded memory), non-regular write targets, the reserved key, stale
temporary files, checksums, and a checkpoint writer killed with SIGKILL over and over.

Every reader must either load correctly or raise a ValueError / OSError naming the file:
never hang, never allocate without bound, never another exception type.
"""

from __future__ import annotations

import gzip
import io
import json
import multiprocessing
import os
import random
import signal
import stat
import subprocess
import sys
import time
import tracemalloc
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import safetensors.numpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuralab as nl
from neuralab import io as nio
from neuralab import safe_io
from neuralab.data import idx

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CLEAR = (ValueError, OSError)


@pytest.fixture(autouse=True)
def no_hang():
    """A test that blocks (a FIFO opened for reading, an endless loop) fails instead."""

    def hung(signum, frame):
        raise TimeoutError("the test hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _checkpoint(step: int = 1) -> dict:
    return {
        "model": {"fc.weight": nl.ones(4, 3) * step, "fc.bias": nl.zeros(4)},
        "optimizer": {"state": {0: {"exp_avg": np.full(5, step, np.float64)}}, "lr": 0.1},
        "step": step,
        "flags": np.array([True, False]),
        "names": ("a", "b"),
    }


def _same(a, b) -> bool:
    if isinstance(a, nl.Tensor):
        return isinstance(b, nl.Tensor) and _same(a.numpy(), b.numpy())
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


def _expect_clear(fn, name: str):
    """Run ``fn``: either it returns, or it raises a ValueError/OSError naming ``name``."""
    try:
        return fn()
    except CLEAR as exc:
        assert name in str(exc), f"the error does not name {name!r}: {exc}"
        return exc


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Path, bytes]:
    path = tmp_path_factory.mktemp("good") / "good.safetensors"
    nl.save(_checkpoint(), path)
    return path, path.read_bytes()


# --- the safetensors reader under fuzzing ------------------------------------------------
@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash_the_reader(tmp_path, data):
    path = tmp_path / "random.safetensors"
    path.write_bytes(data)
    result = _expect_clear(lambda: nl.load(path), str(path))
    assert isinstance(result, (dict, Exception))


@FUZZ
@given(data=st.data())
def test_mutated_files_load_correctly_or_fail_clearly(tmp_path, good, data):
    _, content = good
    content = bytearray(content)
    kind = data.draw(st.sampled_from(["truncate", "flip", "length", "splice", "append"]))
    if kind == "truncate":
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    elif kind == "flip":
        for _ in range(data.draw(st.integers(1, 3))):
            at = data.draw(st.integers(0, len(content) - 1))
            content[at] ^= data.draw(st.integers(1, 255))
    elif kind == "length":
        length = data.draw(st.one_of(st.integers(0, 2**64 - 1), st.integers(0, len(content))))
        content[:8] = length.to_bytes(8, "little")
    elif kind == "splice":
        at = data.draw(st.integers(0, len(content)))
        content[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    else:
        content += data.draw(st.binary(min_size=1, max_size=64))
    path = tmp_path / "mutated.safetensors"
    path.write_bytes(bytes(content))
    result = _expect_clear(lambda: nl.load(path), str(path))
    if not isinstance(result, Exception):  # a harmless change (header whitespace)
        assert _same(result, _checkpoint())
    stream = _expect_clear(lambda: nl.load(io.BytesIO(bytes(content))), "<file object>")
    assert type(stream) is type(result)


@FUZZ
@given(depth=st.integers(1, 5000), kind=st.sampled_from(["[", '{"a":']))
def test_deeply_nested_json_in_the_header(tmp_path, depth, kind):
    closing = "]" if kind == "[" else "}"
    body = ('{"x":' + kind * depth + "1" + closing * depth + "}").encode()
    path = tmp_path / "nested.safetensors"
    path.write_bytes(len(body).to_bytes(8, "little") + body)
    error = _expect_clear(lambda: nl.load(path), str(path))
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("depth", [50, 5000, 100_000])
def test_deeply_nested_structure_metadata(tmp_path, depth):
    tree = '{"list":[' * depth + "" + "]}" * depth
    meta = json.dumps({"version": 1, "tree": json.loads(tree) if depth < 500 else None})
    if depth >= 500:  # too deep for json.dumps: build the text directly
        meta = '{"version": 1, "tree": ' + tree + "}"
    path = tmp_path / "deep.safetensors"
    safetensors.numpy.save_file({}, path, metadata={"neuralab": meta})
    result = _expect_clear(lambda: nl.load(path), str(path))
    if depth == 50:
        assert not isinstance(result, Exception)
    else:
        assert isinstance(result, ValueError) and "nested" in str(result)


def test_huge_header_length_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.safetensors"
    path.write_bytes((2**62).to_bytes(8, "little") + b"{}")
    with pytest.raises(ValueError, match=r"huge\.safetensors.*header claims"):
        nl.load(path)
    with pytest.raises(ValueError, match="header claims"):
        nl.load(io.BufferedReader(_Endless(b"\xff" * 8)))


class _Endless(io.RawIOBase):
    """A stream: ``prefix`` then zeros forever (counts what it hands out)."""

    def __init__(self, prefix: bytes) -> None:
        self.prefix, self.given = prefix, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = len(buffer)
        head = self.prefix[self.given : self.given + n]
        buffer[: len(head)] = head
        buffer[len(head) : n] = bytes(n - len(head))
        self.given += n
        return n


def test_endless_stream_reads_only_what_the_header_promises(good):
    _, content = good
    stream = _Endless(content)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="longer than its header says"):
            nl.load(io.BufferedReader(stream))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert stream.given < len(content) + 64 * 1024
    assert peak < 4 * 1024 * 1024


def test_stream_promising_a_lot_and_ending_early(good):
    header = json.dumps({"w": {"dtype": "F32", "shape": [1 << 20], "data_offsets": [0, 4 << 20]}})
    content = len(header).to_bytes(8, "little") + header.encode() + bytes(100)
    with pytest.raises(ValueError, match="truncated"):
        nl.load(io.BufferedReader(io.BytesIO(content)))  # a stream of unknown size
    with pytest.raises(ValueError, match="truncated"):
        nl.load(io.BytesIO(content))  # a buffer: refused from its size


@pytest.mark.parametrize(
    "entry",
    [
        {"dtype": "F32", "shape": [2**40, 2**40], "data_offsets": [0, 8]},
        {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]},
        {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]},
        {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]},
        {"dtype": "F32", "shape": "2", "data_offsets": [0, 8]},
        {"dtype": "F32", "shape": [True], "data_offsets": [0, 4]},
        "not a map",
    ],
)
def test_bad_header_entries_name_file_and_tensor(tmp_path, entry):
    header = json.dumps({"w": entry}).encode()
    path = tmp_path / "entry.safetensors"
    path.write_bytes(len(header).to_bytes(8, "little") + header + bytes(8))
    with pytest.raises(ValueError, match=r"entry\.safetensors.*'w'"):
        nl.load(path)


# --- checksums ----------------------------------------------------------------------------
def test_every_flipped_data_byte_is_caught_and_the_tensor_named(tmp_path, good):
    _, content = good
    start = 8 + int.from_bytes(content[:8], "little")
    header = json.loads(content[8:start])
    path = tmp_path / "flipped.safetensors"
    for at in range(start, len(content)):
        broken = bytearray(content)
        broken[at] ^= 0x01
        path.write_bytes(bytes(broken))
        tensor = next(
            name
            for name, info in header.items()
            if name != "__metadata__"
            and info["data_offsets"][0] <= at - start < info["data_offsets"][1]
        )
        with pytest.raises(ValueError, match="checksum mismatch") as err:
            nl.load(path)
        assert str(path) in str(err.value) and repr(tensor) in str(err.value)


def test_a_changed_header_value_is_caught(tmp_path, good):
    _, content = good
    path = tmp_path / "edited.safetensors"
    edited = content.replace(b'\\"lr\\"', b'\\"lR\\"', 1)
    assert edited != content
    path.write_bytes(edited)
    with pytest.raises(ValueError, match=r"edited\.safetensors.*checksum mismatch in the header"):
        nl.load(path)


def test_files_without_checksum_still_load(tmp_path):
    path = tmp_path / "foreign.safetensors"
    safetensors.numpy.save_file({"w": np.arange(6, dtype=np.float32)}, path)
    assert nl.load(path)["w"].tolist() == list(range(6))
    nl.save({"w": nl.ones(2)}, path)
    content = path.read_bytes()
    header = json.loads(content[8 : 8 + int.from_bytes(content[:8], "little")])
    assert "neuralab.sha256" in header["__metadata__"]
    assert safetensors.numpy.load_file(path)["w"].tolist() == [1.0, 1.0]  # still readable by others


# --- what save refuses before touching the target --------------------------------------
@pytest.mark.parametrize(
    "obj, error",
    [
        ({"__metadata__": nl.ones(2)}, "reserved"),
        ({"__metadata__": {"format": "pt"}}, "reserved"),
        ({"w": nl.ones(2), "bad\ud800": 1}, "not valid Unicode"),
        ({"w": {"k": "text\udfff"}}, "not valid Unicode"),
    ],
)
def test_unloadable_content_is_refused_and_the_old_file_kept(tmp_path, obj, error):
    path = tmp_path / "m.safetensors"
    nl.save({"w": nl.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=error):
        nl.save(obj, path)
    assert path.read_bytes() == before
    assert safe_io.temp_files(path) == []


def test_self_containing_and_too_deep_structures_are_refused(tmp_path):
    loop: dict = {"w": nl.ones(1)}
    loop["self"] = loop
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    for obj in (loop, {"deep": deep}):
        with pytest.raises(ValueError, match="nested more than"):
            nl.save(obj, tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()


def test_nested_metadata_key_and_odd_keys_round_trip(tmp_path):
    obj = {"a": {"__metadata__": nl.ones(2)}, 0: "zero", "0": [1.5, None], "é✓": (True,)}
    nl.save(obj, tmp_path / "m.safetensors")
    assert _same(nl.load(tmp_path / "m.safetensors"), obj)


# --- non-regular targets ------------------------------------------------------------------
def _targets(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    null = tmp_path / "null"
    null.symlink_to("/dev/null")  # the test never writes the real device: it is refused
    folder = tmp_path / "folder"
    folder.mkdir()
    to_fifo = tmp_path / "to_fifo"
    to_fifo.symlink_to(fifo)
    return {"fifo": fifo, "null": null, "folder": folder, "to_fifo": to_fifo}


def _unchanged(tmp_path: Path, targets: dict[str, Path]) -> None:
    assert stat.S_ISFIFO(os.stat(targets["fifo"]).st_mode)
    assert targets["null"].is_symlink() and os.readlink(targets["null"]) == "/dev/null"
    assert targets["folder"].is_dir() and not any(targets["folder"].iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(targets)  # no temporaries


def test_writers_refuse_non_regular_targets(tmp_path):
    from neuralab.callbacks import HistoryLogger

    targets = _targets(tmp_path)
    writers = {
        "save": lambda p: nl.save({"w": nl.ones(2)}, p),
        "atomic_write": lambda p: nio.atomic_write(p, b"data"),
        "history": lambda p: HistoryLogger(p).on_epoch_end(_trainer(), 0, {}),
    }
    for target in targets.values():
        for name, write in writers.items():
            with pytest.raises(OSError, match=str(target.name)) as err:
                write(target)
            assert isinstance(err.value, (safe_io.NotARegularFileError, IsADirectoryError)), name
    _unchanged(tmp_path, targets)


def _trainer() -> SimpleNamespace:  # what HistoryLogger reads of a Trainer
    history = SimpleNamespace(epochs={"loss": [1.0]}, to_dict=lambda: {"loss": [1.0]})
    return SimpleNamespace(history=history)


def test_readers_refuse_non_regular_files_without_blocking(tmp_path):
    targets = _targets(tmp_path)
    readers = {
        "load": nl.load,
        "read_idx": idx.read_idx,
        "read_json": safe_io.read_json,
    }
    for target in targets.values():
        for read in readers.values():
            with pytest.raises(OSError, match=str(target.name)):
                read(target)
    _unchanged(tmp_path, targets)


# --- stale temporary files ----------------------------------------------------------------
def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _temp_name(target: Path, pid: int, host: str | None = None) -> Path:
    host = host or safe_io._HOST
    return target.with_name(f".{target.name}.{pid}.{host}{os.urandom(5).hex()}.tmp")


def test_stale_temporaries_are_removed_live_ones_kept(tmp_path):
    target = tmp_path / "ckpt.safetensors"
    dead = [_temp_name(target, _dead_pid()) for _ in range(3)]
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = _temp_name(target, sleeper.pid)
        old_live = _temp_name(target, sleeper.pid)
        host = "abcdef" if safe_io._HOST != "abcdef" else "fedcba"
        other_host = _temp_name(target, _dead_pid(), host=host)
        unrelated = [tmp_path / ".ckpt.safetensors.notours.tmp", tmp_path / ".other.1.tmp"]
        for path in [*dead, live, old_live, other_host, *unrelated]:
            path.write_bytes(b"x" * 1000)
        long_ago = time.time() - safe_io.STALE_AFTER_S - 10
        os.utime(old_live, (long_ago, long_ago))
        nl.save({"w": nl.ones(2)}, target)
        left = set(tmp_path.iterdir())
        assert not left & set(dead) and old_live not in left
        assert {live, other_host, *unrelated} <= left  # a live writer's file is not broken
        assert nl.load(target)["w"].tolist() == [1.0, 1.0]
    finally:
        sleeper.kill()
        sleeper.wait()
    nl.save({"w": nl.zeros(2)}, target)  # now its owner is dead: removed
    assert live not in set(tmp_path.iterdir())


def test_failed_write_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "m.safetensors"
    nl.save({"w": nl.ones(2)}, target)

    def full_disk(f, data):
        f.write(data[:5])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nio, "_write_bytes", full_disk)
    with pytest.raises(OSError, match=r"m\.safetensors.*No space left") as err:
        nl.save({"w": nl.zeros(2)}, target)
    assert err.value.errno == 28
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]
    assert nl.load(target)["w"].tolist() == [1.0, 1.0]


def test_long_and_unicode_names_get_recognisable_temporaries(tmp_path):
    for name in ("é" * 120 + ".safetensors", "x" * 250):
        target = tmp_path / name
        stale = tmp_path / (safe_io._prefix(name) + f"{_dead_pid()}.{safe_io._HOST}{'0' * 10}.tmp")
        stale.write_bytes(b"x")
        assert safe_io.temp_files(target) == [str(stale)]
        nl.save({"w": nl.ones(1)}, target)
        assert safe_io.temp_files(target) == []
        assert nl.load(target)["w"].tolist() == [1.0]


def _save_many(path: str, value: float) -> None:  # runs in a forked child
    for _ in range(15):
        nl.save({"w": nl.full((50_000,), value)}, path)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_concurrent_writers_do_not_break_each_other(tmp_path):
    target = tmp_path / "shared.safetensors"
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_save_many, args=(str(target), v)) for v in (1.0, 2.0)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(30)
    assert [w.exitcode for w in writers] == [0, 0]  # no write failed
    w = nl.load(target)["w"].numpy()
    assert w[0] in (1.0, 2.0) and (w == w[0]).all()
    assert safe_io.temp_files(target) == []


# --- a checkpoint writer killed again and again --------------------------------------------
def _step(step: int) -> dict:
    w = nl.tensor(np.arange(400_000, dtype=np.float32) + step)
    return {"step": step, "w": w, "tag": np.int64(step)}


def _write_forever(path: str, saves) -> None:  # runs in a forked child
    step = 0
    while True:
        step += 1
        nl.save(_step(step), path)
        with saves.get_lock():
            saves.value += 1


def _valid(path: Path) -> int:
    ckpt = nl.load(path)
    step = ckpt["step"]
    assert int(ckpt["tag"]) == step
    w = ckpt["w"].numpy()
    assert w[0] == step and w[-1] == 399_999 + step
    return step


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_loop_keeps_a_valid_checkpoint_and_bounded_temporaries(tmp_path):
    target = tmp_path / "ckpt.safetensors"
    nl.save(_step(0), target)
    context = multiprocessing.get_context("fork")
    rng = random.Random(13)
    steps = []
    for _ in range(12):
        saves = context.Value("i", 0)
        child = context.Process(target=_write_forever, args=(str(target), saves), daemon=True)
        child.start()
        if len(steps) % 2:  # every other round: once a save has finished, during a later one
            deadline = time.monotonic() + 20
            while saves.value < 1 and time.monotonic() < deadline:
                time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.12))
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        steps.append(_valid(target))  # the old file or a new one, always whole
        temps = safe_io.temp_files(target)
        assert len(temps) <= 1, temps  # only the killed writer's own, at most
        others = {p.name for p in tmp_path.iterdir()} - {target.name, *map(os.path.basename, temps)}
        assert others == set()
    nl.save(_step(-1), target)
    assert safe_io.temp_files(target) == []
    assert any(s > 0 for s in steps[1::2])  # the rounds that waited for a finished save


# --- the IDX reader -----------------------------------------------------------------------
def _idx(magic: int, dims: tuple[int, ...], body: bytes) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims) + body


def _gzip_bomb(prefix: bytes, mebibytes: int, members: bool) -> bytes:
    """``prefix`` then ``mebibytes`` MiB of zeros: one gzip member, or one member per MiB
    (the same 1 KiB member repeated: fast to build, and concatenated members are gzip)."""
    if members:
        zeros = gzip.compress(bytes(1 << 20))
        return gzip.compress(prefix) + zeros * mebibytes
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [packer.compress(prefix)]
    out += [packer.compress(bytes(1 << 20)) for _ in range(mebibytes)]
    return b"".join([*out, packer.flush()])


@FUZZ
@given(data=st.data())
def test_mutated_idx_files_load_or_fail_clearly(tmp_path, data):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    content = bytearray(_idx(idx.IMAGES_MAGIC, (2, 3, 4), images.tobytes()))
    kind = data.draw(st.sampled_from(["header", "dims", "truncate", "append", "random"]))
    if kind == "header":
        at = data.draw(st.integers(0, 15))
        content[at] = data.draw(st.integers(0, 255))
    elif kind == "dims":
        dims = data.draw(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=255))
        body = bytes(data.draw(st.integers(0, 64)))
        content = bytearray(_idx(0x0800 + len(dims), tuple(dims), body))
    elif kind == "truncate":
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    elif kind == "append":
        content += data.draw(st.binary(min_size=1, max_size=8))
    else:
        content = bytearray(data.draw(st.binary(max_size=64)))
    packed = data.draw(st.booleans())
    path = tmp_path / ("mutated.idx.gz" if packed else "mutated.idx")
    path.write_bytes(gzip.compress(bytes(content)) if packed else bytes(content))
    result = _expect_clear(lambda: idx.read_idx(path), str(path))
    if not isinstance(result, Exception):
        assert isinstance(result, np.ndarray)
        assert result.nbytes == len(content) - 4 - 4 * result.ndim
    from_bytes = _expect_clear(lambda: idx.decode_idx(path.read_bytes(), str(path)), str(path))
    assert type(from_bytes) is type(result)


@pytest.mark.parametrize("packed", [False, True])
def test_absurd_idx_dimensions_are_refused_naming_the_file(tmp_path, packed):
    content = _idx(0x0803, (2**32 - 1,) * 3, bytes(16))
    path = tmp_path / "absurd.idx"
    path.write_bytes(gzip.compress(content) if packed else content)
    with pytest.raises(ValueError, match=r"absurd\.idx.*absurd IDX dimensions"):
        idx.read_idx(path)


@pytest.mark.parametrize("mebibytes, members", [(24, False), (1024, True)])
def test_gzip_bomb_stops_at_the_promised_size(tmp_path, mebibytes, members):
    header = _idx(idx.IMAGES_MAGIC, (10, 28, 28), b"")
    bomb = _gzip_bomb(header, mebibytes, members)  # MiBs of zeros behind a 7840-byte promise
    assert len(bomb) < 1100 * mebibytes
    path = tmp_path / "bomb.idx.gz"
    path.write_bytes(bomb)
    tracemalloc.start()
    try:
        for read in (lambda: idx.read_idx(path), lambda: idx.decode_idx(bomb, str(path))):
            with pytest.raises(ValueError, match=r"bomb\.idx\.gz.*size mismatch"):
                read()
        with pytest.raises(ValueError, match=r"bomb\.idx\.gz.*more than"):
            idx.gunzip(bomb, str(path), limit=1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_tiny_file_promising_gigabytes_is_refused_at_once(tmp_path):
    content = gzip.compress(_idx(idx.IMAGES_MAGIC, (60000, 200, 200), bytes(100)))
    path = tmp_path / "liar.idx.gz"
    path.write_bytes(content)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"liar\.idx\.gz.*truncated IDX data"):
        idx.read_idx(path)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("cut", [0, 1, 3, 10, 100, -9, -1])
def test_truncated_or_corrupt_mnist_names_the_file(tmp_path, datasets_dir, cut):
    original = (datasets_dir / "mnist" / "t10k-labels-idx1-ubyte.gz").read_bytes()
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(original[:cut])
    with pytest.raises(ValueError) as err:
        idx.read_idx(path, magic=idx.LABELS_MAGIC)
    assert str(path) in str(err.value)
    flipped = bytearray(original)
    flipped[len(flipped) // 2] ^= 0x10
    path.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match=r"corrupt|truncated|mismatch") as err:
        idx.read_idx(path, magic=idx.LABELS_MAGIC)
    assert str(path) in str(err.value)


# --- JSON files ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content, message",
    [
        (b"[" * 100_000, "nested"),
        (b'{"a":' * 200 + b"1" + b"}" * 200, "nested"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe{}", "not"),
    ],
)
def test_json_files_fail_clearly(tmp_path, content, message):
    path = tmp_path / "config.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as err:
        safe_io.read_json(path)
    assert str(path) in str(err.value)


def test_json_file_too_large_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(10 << 20)  # sparse
    with pytest.raises(ValueError, match=r"big\.json.*more than"):
        safe_io.read_json(path, max_bytes=1 << 20)
