"""neuralab.keras.initializers against Keras 3 (torch backend).

Random draws cannot match bit for bit (different generators), so both sides draw large
samples and their statistics are compared. Tolerances come from the sample size n:
the sample mean has standard error sigma / sqrt(n), the sample std a relative standard
error of about sqrt((kurtosis - 1) / (4 n)) <= 1 / sqrt(2 n) for the distributions here
(normal: kurtosis 3; truncated normal and uniform: less). Each check allows 6 standard
errors of the *difference* of two independent samples, so a false failure has odds below
1e-8 while a wrong formula (a factor sqrt(2) or the 0.8796 correction) is far outside.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import neuralab as nl
from neuralab.keras import initializers as I

DENSE = (300, 200)  # 60,000 draws; fan_in 300, fan_out 200
CONV = (3, 3, 64, 128)  # 73,728 draws; fan_in 576, fan_out 1152
SHAPES = [DENSE, CONV]

# name -> (scale, mode, distribution) as Keras defines the presets
PRESETS = {
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
    "lecun_normal": (1.0, "fan_in", "truncated_normal"),
    "lecun_uniform": (1.0, "fan_in", "uniform"),
    "variance_scaling": (1.0, "fan_in", "truncated_normal"),
}


def _keras_array(keras, init, shape):
    return keras.ops.convert_to_numpy(init(shape)).astype(np.float64)


def _ours(init, shape):
    t = init(shape)
    assert isinstance(t, nl.Tensor) and t.dtype == nl.float32 and tuple(t.shape) == shape
    assert not t.requires_grad
    return t.numpy().astype(np.float64)


def _same_statistics(a, b, sigma):
    """a and b are samples of one distribution with standard deviation ~sigma."""
    n = min(a.size, b.size)
    se_mean = sigma / math.sqrt(n)
    assert abs(a.mean() - b.mean()) < 6 * math.sqrt(2) * se_mean, (a.mean(), b.mean())
    rel_se_std = 1 / math.sqrt(2 * n)
    assert abs(a.std() / b.std() - 1) < 6 * math.sqrt(2) * rel_se_std, (a.std(), b.std())


def _fans(shape):
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_variance_scaling_presets_match_keras(keras_ref, name, shape):
    ours = _ours(I.get(name), shape)
    theirs = _keras_array(keras_ref, keras_ref.initializers.get(name), shape)
    scale, mode, distribution = PRESETS[name]
    fan_in, fan_out = _fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    variance = scale / n  # what the draws' variance should be, for both kinds
    _same_statistics(ours, theirs, math.sqrt(variance))
    assert abs(ours.std() / math.sqrt(variance) - 1) < 6 / math.sqrt(2 * ours.size)
    if distribution == "uniform":
        limit = math.sqrt(3 * variance)
        for sample in (ours, theirs):
            # All inside [-limit, limit]; with >= 60,000 uniform draws the extremes lie
            # within limit * 1e-3 of the ends (odds of failing: exp(-30)).
            assert np.abs(sample).max() <= limit * (1 + 1e-6)
            assert sample.max() > limit * (1 - 1e-3) and sample.min() < -limit * (1 - 1e-3)
    else:
        bound = 2 * math.sqrt(variance) / 0.87962566103423978  # 2 sigma of the untruncated
        # ours is exactly truncated; Keras (torch backend) keeps the first of 4 normal
        # draws inside the bounds and so leaks a value outside with probability 0.0455^4.
        assert np.abs(ours).max() <= bound * (1 + 1e-6)
        assert (np.abs(theirs) > bound * (1 + 1e-6)).mean() < 1e-4
        for sample in (ours, theirs):
            assert np.abs(sample).max() > bound * 0.99


@pytest.mark.parametrize("shape", SHAPES)
def test_random_normal_uniform_truncated_match_keras(keras_ref, shape):
    K = keras_ref.initializers
    cases = [
        (I.RandomNormal(), K.RandomNormal(), 0.05),
        (I.RandomNormal(mean=1.0, stddev=0.3), K.RandomNormal(mean=1.0, stddev=0.3), 0.3),
        (I.RandomUniform(), K.RandomUniform(), 0.1 / math.sqrt(12)),
        (I.RandomUniform(-2.0, 5.0), K.RandomUniform(-2.0, 5.0), 7 / math.sqrt(12)),
        (I.TruncatedNormal(), K.TruncatedNormal(), 0.05 * 0.8796),
        (I.TruncatedNormal(0.5, 2.0), K.TruncatedNormal(0.5, 2.0), 2.0 * 0.8796),
    ]
    for ours_init, keras_init, sigma in cases:
        ours, theirs = _ours(ours_init, shape), _keras_array(keras_ref, keras_init, shape)
        _same_statistics(ours, theirs, sigma)
    lo, hi = _ours(I.RandomUniform(-2.0, 5.0), shape), _ours(I.TruncatedNormal(0.5, 2.0), shape)
    assert lo.min() >= -2.0 and lo.max() <= 5.0
    assert hi.min() >= 0.5 - 4.0 and hi.max() <= 0.5 + 4.0


def test_variance_scaling_arguments_match_keras(keras_ref):
    # (Loops, not parametrize: each Keras test pays for clear_session in the conftest.)
    for mode in ("fan_in", "fan_out", "fan_avg"):
        for distribution in ("uniform", "truncated_normal", "untruncated_normal"):
            kw = {"scale": 3.0, "mode": mode, "distribution": distribution}
            ours = _ours(I.VarianceScaling(**kw), CONV)
            theirs = _keras_array(keras_ref, keras_ref.initializers.VarianceScaling(**kw), CONV)
            _same_statistics(ours, theirs, theirs.std())


def test_compute_fans_match_keras(keras_ref):
    from keras.src.initializers.random_initializers import compute_fans

    for shape in [(), (7,), (5, 3), (3, 3, 4, 8), (2, 3, 5, 4, 6), (1, 1, 10, 20)]:
        assert I.compute_fans(shape) == compute_fans(shape), shape
    assert I.compute_fans((4, 5, 6), [0, 1], [2]) == compute_fans((4, 5, 6), [0, 1], [2])


@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_matches_keras(keras_ref, gain):
    for shape in [(200, 50), (50, 200), (3, 3, 16, 32), (2, 2, 4, 64)]:
        ours = _ours(I.Orthogonal(gain=gain), shape)
        theirs = _keras_array(keras_ref, keras_ref.initializers.Orthogonal(gain=gain), shape)
        for w in (ours, theirs):
            flat = w.reshape(-1, shape[-1])
            gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
            np.testing.assert_allclose(
                gram, gain**2 * np.eye(len(gram)), atol=1e-5 * gain**2, err_msg=str(shape)
            )
            # Orthogonality fixes the sum of squares: min(rows, cols) gain^2.
            rms = gain * math.sqrt(min(flat.shape) / flat.size)
            np.testing.assert_allclose(np.sqrt((w**2).mean()), rms, rtol=1e-5)


def test_constants_match_keras(keras_ref):
    K = keras_ref.initializers
    for ours_init, keras_init, shape in [
        (I.Zeros(), K.Zeros(), (3, 4)),
        (I.Ones(), K.Ones(), (2, 3, 4)),
        (I.Constant(0.7), K.Constant(0.7), (5,)),
        (I.Identity(), K.Identity(), (4, 4)),
        (I.Identity(gain=3.0), K.Identity(gain=3.0), (3, 5)),
        (I.Identity(gain=2.0), K.Identity(gain=2.0), (5, 3)),
    ]:
        np.testing.assert_array_equal(
            _ours(ours_init, shape), _keras_array(keras_ref, keras_init, shape)
        )
    with pytest.raises(ValueError, match="2D"):
        I.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="two-dimensional"):
        I.Orthogonal()((5,))


def test_dtype():
    assert I.GlorotUniform()((3, 4), dtype="float64").dtype == nl.float64
    assert I.Zeros()((2,), dtype="int32").numpy().dtype == np.int32
    with pytest.raises(ValueError, match="floating"):
        I.RandomNormal()((3,), dtype="int64")


def test_seeds_are_reproducible_as_in_keras(keras_ref):
    # Keras 3: an int-seeded or unseeded initializer returns the same values at every call.
    k = keras_ref.initializers.RandomNormal()
    assert np.array_equal(_keras_array(keras_ref, k, (5,)), _keras_array(keras_ref, k, (5,)))
    for init in (I.RandomNormal(seed=3), I.RandomNormal(), I.GlorotNormal(), I.Orthogonal()):
        np.testing.assert_array_equal(_ours(init, (6, 4)), _ours(init, (6, 4)))
    np.testing.assert_array_equal(
        _ours(I.HeUniform(seed=7), CONV), _ours(I.HeUniform(seed=7), CONV)
    )
    assert not np.array_equal(_ours(I.HeUniform(seed=7), CONV), _ours(I.HeUniform(seed=8), CONV))
    # Two unseeded objects differ; neuralab.manual_seed makes their draws reproducible.
    assert not np.array_equal(_ours(I.GlorotUniform(), DENSE), _ours(I.GlorotUniform(), DENSE))
    nl.manual_seed(123)
    first = [_ours(I.GlorotUniform(), DENSE), _ours(I.TruncatedNormal(), DENSE)]
    nl.manual_seed(123)
    second = [_ours(I.GlorotUniform(), DENSE), _ours(I.TruncatedNormal(), DENSE)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    # A Generator is a stream (Keras's SeedGenerator): each call draws new values.
    init = I.RandomUniform(seed=nl.Generator().manual_seed(5))
    a, b = _ours(init, (10,)), _ours(init, (10,))
    assert not np.array_equal(a, b)
    again = I.RandomUniform(seed=nl.Generator().manual_seed(5))
    np.testing.assert_array_equal(_ours(again, (10,)), a)
    with pytest.raises(ValueError, match="seed"):
        I.RandomNormal(seed="x")


CONFIGS = [
    ("RandomNormal", {"mean": 0.5, "stddev": 2.0, "seed": 4}),
    ("RandomUniform", {"minval": -1.0, "maxval": 3.0, "seed": None}),
    ("TruncatedNormal", {"mean": 0.0, "stddev": 0.1, "seed": 1}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": 2}),
    ("GlorotUniform", {"seed": 3}),
    ("HeNormal", {}),
    ("Orthogonal", {"gain": 2.0, "seed": 9}),
    ("Constant", {"value": 3.0}),
    ("Identity", {"gain": 0.5}),
    ("Zeros", {}),
]


@pytest.mark.parametrize("name, kw", CONFIGS)
def test_config_and_serialize_match_keras(keras_ref, name, kw):
    ours, theirs = getattr(I, name)(**kw), getattr(keras_ref.initializers, name)(**kw)
    if name == "Identity":
        # Keras 3.15's Identity has no get_config (its gain is lost on a round trip); ours
        # keeps it.
        assert theirs.get_config() == {} and ours.get_config() == {"gain": 0.5}
        return
    assert ours.get_config() == theirs.get_config()
    assert I.serialize(ours) == keras_ref.initializers.serialize(theirs)
    rebuilt = I.get(keras_ref.initializers.serialize(theirs))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()
    assert ours.clone().get_config() == ours.get_config()


def test_get_resolves_every_keras_name(keras_ref):
    from keras.src.initializers import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        if cls.__name__ == "STFT":
            with pytest.raises(NotImplementedError, match=r"STFT|stft"):
                I.get(name)
            continue
        if cls.__name__ == "Initializer":
            continue
        # (Keras itself fails on get('constant'/'Constant'): its from_config needs 'value'.)
        expected = (
            "Constant"
            if cls.__name__ == "Constant"
            else type(keras_ref.initializers.get(name)).__name__
        )
        assert type(I.get(name)).__name__ == expected == cls.__name__


def test_get_other_identifiers():
    assert I.get(None) is None
    obj = I.HeNormal(seed=1)
    assert I.get(obj) is obj
    assert isinstance(I.get(I.Ones), I.Ones)
    assert I.get({"class_name": "Constant", "config": {"value": 2.0}})((2,)).numpy().tolist() == [
        2.0,
        2.0,
    ]

    def fn(shape, dtype=None):
        return nl.ones(*shape)

    assert I.get(fn) is fn
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(I.get(value)((2, 3)).numpy(), value)
    with pytest.raises(ValueError, match="shape"):
        I.get(value)((3, 2))
    with pytest.raises(ValueError, match=r"known initializers: .*glorot_uniform"):
        I.get("glorot_unifrom")
    with pytest.raises(ValueError, match="initializer"):
        I.get(3)
