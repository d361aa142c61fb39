"""neuralab.keras's convolution and pooling layers against Keras 3 (torch backend): the same
weights and inputs give the same outputs and the same gradients (w.r.t. the input and every
weight, for a fixed random cotangent), the same output shapes, and the same parameter counts.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import numpy as np
import pytest

import neuralab.keras as nk
from neuralab import Tensor

RTOL, ATOL = 1e-5, 1e-6
# Sums of up to a few dozen float32 products in a different order: allow a few ulps more.
CONV_RTOL, CONV_ATOL = 1e-5, 1e-5


def _random(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _keras_forward_backward(layer, x, cotangent):
    """Keras's output, input gradient and weight gradients (torch autograd)."""
    import torch

    xt = torch.tensor(x, requires_grad=True)
    y = layer(xt)
    (y * torch.tensor(cotangent)).sum().backward()
    grads = [w.value.grad.detach().numpy() for w in layer.trainable_weights]
    return y.detach().numpy(), xt.grad.numpy(), grads


def _neuralab_forward_backward(layer, x, cotangent):
    """neuralab's output, input gradient and weight gradients (neuralab's autograd)."""
    xt = Tensor(x, requires_grad=True)
    y = layer(xt)
    (y * Tensor(cotangent)).sum().backward()
    grads = [w.grad.numpy() for w in layer.trainable_weights]
    return y.detach().numpy(), xt.grad.numpy(), grads


def _compare(keras_layer, our_layer, shape, seed=0, rtol=RTOL, atol=ATOL):
    """Build both on ``shape``, copy Keras's weights into ours, compare values and grads."""
    x = _random(shape, seed)
    keras_layer.build(shape)
    our_layer.build((None, *shape[1:]))
    our_layer.built = True
    our_layer.set_weights(keras_layer.get_weights())
    out_shape = tuple(keras_layer.compute_output_shape(shape))
    cotangent = _random(out_shape, seed + 1)
    ky, kdx, kdw = _keras_forward_backward(keras_layer, x, cotangent)
    ny, ndx, ndw = _neuralab_forward_backward(our_layer, x, cotangent)
    assert ny.shape == ky.shape == out_shape
    np.testing.assert_allclose(ny, ky, rtol=rtol, atol=atol, err_msg="output")
    np.testing.assert_allclose(ndx, kdx, rtol=rtol, atol=atol, err_msg="input gradient")
    assert len(ndw) == len(kdw)
    for i, (ours, theirs) in enumerate(zip(ndw, kdw)):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=f"weight {i}")
    return ny


# --- Conv2D / Conv1D ------------------------------------------------------------------------
CONV2D_CASES = [
    # kernel_size, strides, padding, dilation_rate, groups, use_bias, (H, W), C, filters
    (3, 1, "valid", 1, 1, True, (7, 8), 3, 4),
    (3, 1, "same", 1, 1, True, (7, 8), 3, 4),
    (3, 2, "same", 1, 1, True, (7, 8), 3, 4),  # stride 2: uneven split on the even axis
    (2, 1, "same", 1, 1, True, (6, 5), 2, 3),  # even kernel: the extra pixel bottom/right
    (4, 3, "same", 1, 1, False, (9, 10), 2, 3),
    ((2, 3), (2, 1), "valid", 1, 1, True, (8, 7), 3, 5),
    ((3, 2), 1, "same", (2, 3), 1, True, (9, 8), 2, 4),  # dilation, uneven 'same'
    (3, 1, "valid", 2, 1, False, (9, 9), 2, 2),
    (3, 1, "same", 1, 2, True, (6, 7), 4, 6),  # groups
    (1, 2, "valid", 1, 3, False, (5, 6), 6, 3),  # 1x1, groups, strided
    (5, 2, "same", 1, 1, True, (5, 5), 1, 2),  # kernel as large as the image
]


@pytest.mark.parametrize("case", CONV2D_CASES, ids=lambda c: str(c).replace(" ", ""))
def test_conv2d_matches_keras(keras_ref, case):
    kernel, strides, padding, dilation, groups, use_bias, hw, c, filters = case
    kwargs = dict(
        kernel_size=kernel,
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
        groups=groups,
        use_bias=use_bias,
    )
    theirs = keras_ref.layers.Conv2D(filters, bias_initializer="glorot_uniform", **kwargs)
    ours = nk.layers.Conv2D(filters, **kwargs)
    y = _compare(theirs, ours, (2, *hw, c), rtol=CONV_RTOL, atol=CONV_ATOL)
    assert ours.kernel.shape == tuple(theirs.kernel.shape)
    assert np.abs(y).max() > 0.1  # not a trivially zero output


def test_conv2d_activation_and_channels_first(keras_ref):
    kwargs = dict(kernel_size=3, strides=2, padding="same", activation="tanh")
    theirs = keras_ref.layers.Conv2D(3, data_format="channels_first", **kwargs)
    ours = nk.layers.Conv2D(3, data_format="channels_first", **kwargs)
    _compare(theirs, ours, (2, 2, 7, 6), rtol=CONV_RTOL, atol=CONV_ATOL)


@pytest.mark.parametrize(
    "kernel, strides, padding, dilation, groups",
    [(3, 1, "valid", 1, 1), (4, 3, "same", 1, 1), (3, 1, "causal", 2, 1), (2, 1, "same", 1, 2)],
)
def test_conv1d_matches_keras(keras_ref, kernel, strides, padding, dilation, groups):
    kwargs = dict(
        kernel_size=kernel,
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
        groups=groups,
        activation="relu",
    )
    theirs = keras_ref.layers.Conv1D(4, bias_initializer="glorot_uniform", **kwargs)
    ours = nk.layers.Conv1D(4, **kwargs)
    _compare(theirs, ours, (3, 11, 4), rtol=CONV_RTOL, atol=CONV_ATOL)


def test_conv2d_weights_layout_and_init_statistics(keras_ref):
    """Keras's kernel layout (kh, kw, C/groups, filters), weight order, Glorot-uniform
    bounds sqrt(6 / (fan_in + fan_out)) with fans kh kw C_in and kh kw filters, zero bias."""
    ours = nk.layers.Conv2D(32, (3, 5), groups=2)
    ours.build((None, 10, 10, 8))
    theirs = keras_ref.layers.Conv2D(32, (3, 5), groups=2)
    theirs.build((None, 10, 10, 8))
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.shape for w in ours.get_weights()] == [(3, 5, 4, 32), (32,)]
    kernel, bias = ours.get_weights()
    limit = np.sqrt(6 / (3 * 5 * 4 + 3 * 5 * 32))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert abs(kernel.std() - limit / np.sqrt(3)) < 0.05 * limit
    assert not bias.any()


def test_conv_stack_in_sequential_matches_keras(keras_ref):
    """A conv / pool / global-pool stack in a Sequential gives Keras's output and Keras's
    gradient of a loss w.r.t. every weight."""
    import torch

    def build(lib):
        return lib.Sequential(
            [
                lib.Input((9, 9, 2)),
                lib.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
                lib.layers.MaxPooling2D(2, padding="same"),
                lib.layers.Conv2D(3, 2, use_bias=False),
                lib.layers.GlobalAveragePooling2D(),
            ]
        )

    theirs, ours = build(keras_ref), build(nk)
    ours.set_weights(theirs.get_weights())
    x = _random((3, 9, 9, 2), 5)
    ky = theirs(torch.tensor(x))
    ky.square().sum().backward()
    ny = ours(x)
    ny.square().sum().backward()
    np.testing.assert_allclose(ny.detach().numpy(), ky.detach().numpy(), rtol=1e-5, atol=1e-5)
    for ours_w, theirs_w in zip(ours.trainable_weights, theirs.trainable_weights):
        np.testing.assert_allclose(
            ours_w.grad.numpy(), theirs_w.value.grad.numpy(), rtol=1e-4, atol=1e-5
        )


# --- pooling ------------------------------------------------------------------------------
POOL_CASES = [
    # pool_size, strides, padding, (H, W)
    (2, None, "valid", (7, 9)),
    (3, 2, "valid", (7, 8)),
    ((2, 3), (1, 2), "valid", (5, 7)),
    (3, 1, "same", (5, 6)),  # symmetric padding: one pixel each side
    (3, 2, "same", (7, 7)),  # total 2 per axis: symmetric
    (2, None, "same", (7, 9)),  # odd sizes: one padded row/column at the bottom/right
    (3, 2, "same", (8, 6)),  # total 1 per axis: uneven
    ((2, 3), (2, 2), "same", (5, 8)),
]


def _uneven_average(pool, strides, padding, hw):
    """True when Keras's torch backend pads this average pooling unevenly (see below)."""
    from neuralab.keras.layers import conv_utils as cu

    pool = (pool, pool) if isinstance(pool, int) else pool
    strides = pool if strides is None else strides
    strides = (strides, strides) if isinstance(strides, int) else strides
    pads = [cu.padding_amounts(n, k, s, 1, padding) for n, k, s in zip(hw, pool, strides)]
    return any(before != after for before, after in pads)


@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: str(c).replace(" ", ""))
def test_max_pooling2d_matches_keras(keras_ref, case):
    pool, strides, padding, hw = case
    theirs = keras_ref.layers.MaxPooling2D(pool, strides, padding)
    ours = nk.layers.MaxPooling2D(pool, strides, padding)
    _compare(theirs, ours, (2, *hw, 3))


@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: str(c).replace(" ", ""))
def test_average_pooling2d_matches_keras(keras_ref, case):
    pool, strides, padding, hw = case
    if _uneven_average(pool, strides, padding, hw):
        pytest.skip("uneven 'same' average: Keras 3.15's torch backend is off, tested below")
    theirs = keras_ref.layers.AveragePooling2D(pool, strides, padding)
    ours = nk.layers.AveragePooling2D(pool, strides, padding)
    _compare(theirs, ours, (2, *hw, 3))


def _average_same_reference(x, pool, strides):
    """Keras's definition of average pooling with padding='same' (TensorFlow's and JAX's
    backends): each window's mean over the input pixels it covers, the padding split with
    the odd pixel at the bottom/right, written out window by window in torch."""
    import torch

    _, h, w, _ = x.shape
    rows, cols = [], []
    for size, k, s, out in ((h, pool[0], strides[0], rows), (w, pool[1], strides[1], cols)):
        count = -(-size // s)
        total = max(0, (count - 1) * s + k - size)
        for i in range(count):
            start = i * s - total // 2
            out.append((max(start, 0), min(start + k, size)))
    return torch.stack(
        [
            torch.stack([x[:, r0:r1, c0:c1, :].mean(dim=(1, 2)) for c0, c1 in cols], dim=1)
            for r0, r1 in rows
        ],
        dim=1,
    )


@pytest.mark.parametrize(
    "pool, strides, hw, keras_torch_differs",
    [
        ((3, 3), (2, 2), (8, 6), True),
        # a 2-wide window holding one padded pixel: the replicated edge gives the same mean
        ((2, 2), (2, 2), (7, 9), False),
        ((2, 3), (2, 2), (5, 8), True),
    ],
)
def test_average_pooling2d_same_uneven_averages_valid_pixels_only(
    keras_ref, pool, strides, hw, keras_torch_differs
):
    """With uneven 'same' padding Keras averages over the window's input pixels only (its
    TensorFlow and JAX backends); Keras 3.15's torch backend instead pads by replicating the
    edge and counts those pixels (keras-team/keras#23233, fixed later). We follow Keras's
    definition: checked against it written out window by window, gradients by torch."""
    import torch

    x = _random((2, *hw, 3), 3)
    ours = nk.layers.AveragePooling2D(pool, strides, "same")
    out_shape = ours.compute_output_shape((2, *hw, 3))
    cotangent = _random(out_shape, 4)
    xt = torch.tensor(x, requires_grad=True)
    reference = _average_same_reference(xt, pool, strides)
    (reference * torch.tensor(cotangent)).sum().backward()
    y, dx, _ = _neuralab_forward_backward(ours, x, cotangent)
    np.testing.assert_allclose(y, reference.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=RTOL, atol=ATOL)
    # and where the torch backend of this Keras version differs (the reason for the skip)
    keras_y = keras_ref.layers.AveragePooling2D(pool, strides, "same")(torch.tensor(x))
    same = np.allclose(keras_y.detach().numpy(), y, rtol=RTOL, atol=ATOL)
    assert same != keras_torch_differs


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("kind", ["GlobalAveragePooling2D", "GlobalMaxPooling2D"])
def test_global_pooling2d_matches_keras(keras_ref, kind, keepdims):
    theirs = getattr(keras_ref.layers, kind)(keepdims=keepdims)
    ours = getattr(nk.layers, kind)(keepdims=keepdims)
    _compare(theirs, ours, (3, 5, 4, 6))


@pytest.mark.parametrize(
    "kind, args",
    [
        ("MaxPooling1D", (3, 2, "same")),
        ("AveragePooling1D", (3, 1, "same")),
        ("AveragePooling1D", (2, None, "valid")),
        ("GlobalAveragePooling1D", ()),
        ("GlobalMaxPooling1D", ()),
    ],
)
def test_pooling1d_matches_keras(keras_ref, kind, args):
    _compare(getattr(keras_ref.layers, kind)(*args), getattr(nk.layers, kind)(*args), (2, 9, 3))


def test_pooling_channels_first_matches_keras(keras_ref):
    for kind, args in [("MaxPooling2D", (3, 2, "same")), ("AveragePooling2D", (2, 1, "valid"))]:
        theirs = getattr(keras_ref.layers, kind)(*args, data_format="channels_first")
        ours = getattr(nk.layers, kind)(*args, data_format="channels_first")
        _compare(theirs, ours, (2, 3, 7, 7))
    theirs = keras_ref.layers.GlobalAveragePooling2D(data_format="channels_first")
    ours = nk.layers.GlobalAveragePooling2D(data_format="channels_first")
    _compare(theirs, ours, (2, 3, 5, 4))


# --- shapes and parameter counts ----------------------------------------------------------
SHAPE_CASES = [
    ("Conv2D", (4, 3), {}, (None, 7, 8, 3)),
    ("Conv2D", (4, 3), {"strides": 2, "padding": "same"}, (None, 7, 8, 3)),
    ("Conv2D", (4, (2, 5)), {"dilation_rate": 2}, (5, 11, 12, 2)),
    ("Conv2D", (4, 3), {"padding": "same"}, (None, None, None, 3)),
    ("Conv2D", (4, 3), {"data_format": "channels_first"}, (None, 3, 9, 8)),
    ("Conv1D", (6, 3), {"padding": "causal", "strides": 2}, (None, 10, 3)),
    ("Conv1D", (6, 4), {}, (None, None, 3)),
    ("MaxPooling2D", (), {}, (None, 7, 9, 3)),
    ("MaxPooling2D", (3, 2, "same"), {}, (None, 8, 7, 3)),
    ("AveragePooling2D", ((2, 3),), {}, (4, 6, 7, 1)),
    ("AveragePooling2D", (2,), {"data_format": "channels_first"}, (None, 3, 9, 8)),
    ("MaxPooling1D", (3, 2, "same"), {}, (None, 11, 3)),
    ("GlobalAveragePooling2D", (), {}, (None, 5, 5, 7)),
    ("GlobalMaxPooling2D", (), {"keepdims": True}, (None, 5, 5, 7)),
    ("GlobalAveragePooling1D", (), {"data_format": "channels_first"}, (None, 7, 5)),
]


@pytest.mark.parametrize("kind, args, kwargs, shape", SHAPE_CASES)
def test_compute_output_shape_matches_keras(keras_ref, kind, args, kwargs, shape):
    theirs = getattr(keras_ref.layers, kind)(*args, **kwargs).compute_output_shape(shape)
    ours = getattr(nk.layers, kind)(*args, **kwargs).compute_output_shape(shape)
    assert tuple(ours) == tuple(theirs)


def _small_cnn(lib):
    layers = lib.layers
    return lib.Sequential(
        [
            lib.Input((28, 28, 1)),
            layers.Conv2D(8, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(16, (3, 3), padding="same", use_bias=False, groups=2),
            layers.AveragePooling2D(3, 2, "same"),
            layers.Conv2D(12, 2, strides=2),
            layers.GlobalAveragePooling2D(),
            layers.Dense(10, activation="softmax"),
        ]
    )


def test_small_cnn_param_counts_and_shapes_match_keras(keras_ref):
    import torch

    theirs, ours = _small_cnn(keras_ref), _small_cnn(nk)
    assert ours.count_params() == theirs.count_params()
    assert [layer.count_params() for layer in ours.layers] == [
        layer.count_params() for layer in theirs.layers
    ]
    assert tuple(ours.output_shape) == tuple(theirs.output_shape)
    with redirect_stdout(io.StringIO()) as text:
        ours.summary()
    printed = text.getvalue()
    for layer in theirs.layers:
        assert f"{layer.count_params():,}" in printed
    assert f"{theirs.count_params():,}" in printed
    ours.set_weights(theirs.get_weights())
    x = _random((2, 28, 28, 1), 7)
    theirs_y = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours(x).detach().numpy(), theirs_y, rtol=1e-5, atol=1e-6)


# --- errors -------------------------------------------------------------------------------
def test_conv_argument_errors():
    with pytest.raises(ValueError, match=r"Conv2D.*filters must be evenly divisible.*groups"):
        nk.layers.Conv2D(5, 3, groups=2)
    with pytest.raises(ValueError, match=r"Conv2D.*filters must be a positive integer"):
        nk.layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match=r"Conv2D.*kernel_size.*tuple of 2"):
        nk.layers.Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match=r"Conv2D.*strides.*positive"):
        nk.layers.Conv2D(4, 3, strides=0)
    with pytest.raises(ValueError, match=r"Conv2D.*padding.*'valid', 'same'"):
        nk.layers.Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match=r"strides > 1.*dilation_rate > 1"):
        nk.layers.Conv2D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"Conv2D.*data_format"):
        nk.layers.Conv2D(4, 3, data_format="NHWC")
    with pytest.raises(NotImplementedError, match=r"Conv2D\(kernel_constraint=...\)"):
        nk.layers.Conv2D(4, 3, kernel_constraint="non_neg")
    with pytest.raises(NotImplementedError, match=r"explicit padding"):
        nk.layers.Conv2D(4, 3, padding=((1, 1), (1, 1)))


def test_conv_input_errors():
    x = np.zeros((2, 8, 8, 3), np.float32)
    with pytest.raises(ValueError, match=r"Conv2D conv2d: expected a 4-D input \(batch, height"):
        nk.layers.Conv2D(4, 3)(x[..., 0])
    with pytest.raises(ValueError, match=r"input channels must be evenly divisible.*groups=2"):
        nk.layers.Conv2D(4, 3, groups=2)(x)
    with pytest.raises(ValueError, match=r"output size would be zero or negative"):
        nk.layers.Conv2D(4, 9)(x)
    layer = nk.layers.Conv2D(4, 3)
    layer(x)
    with pytest.raises(ValueError, match=r"expected inputs with 3 channels.*received shape"):
        layer(np.zeros((2, 8, 8, 5), np.float32))
    with pytest.raises(ValueError, match=r"Conv1D.*3-D input \(batch, steps, channels\)"):
        nk.layers.Conv1D(4, 3)(x)


def test_pooling_errors():
    x = np.zeros((2, 5, 5, 3), np.float32)
    with pytest.raises(ValueError, match=r"MaxPooling2D.*4-D input \(batch, height, width"):
        nk.layers.MaxPooling2D()(x[0])
    with pytest.raises(ValueError, match=r"output size would be zero or negative.*pool_size"):
        nk.layers.AveragePooling2D(6)(x)
    with pytest.raises(ValueError, match=r"MaxPooling2D.*pool_size.*tuple of 2"):
        nk.layers.MaxPooling2D((2, 2, 2))
    with pytest.raises(ValueError, match=r"AveragePooling1D.*padding"):
        nk.layers.AveragePooling1D(padding="full")
    with pytest.raises(ValueError, match=r"GlobalAveragePooling2D.*4-D input"):
        nk.layers.GlobalAveragePooling2D()(x[..., 0])
    with pytest.raises(TypeError, match=r"GlobalMaxPooling1D.*keepdims"):
        nk.layers.GlobalMaxPooling1D(keepdims="yes")


def test_keras_aliases_exist(keras_ref):
    for alias, target in [
        ("MaxPool2D", "MaxPooling2D"),
        ("AvgPool2D", "AveragePooling2D"),
        ("GlobalAvgPool2D", "GlobalAveragePooling2D"),
        ("GlobalMaxPool1D", "GlobalMaxPooling1D"),
        ("Convolution2D", "Conv2D"),
    ]:
        assert getattr(keras_ref.layers, alias) is getattr(keras_ref.layers, target)
        assert getattr(nk.layers, alias) is getattr(nk.layers, target)
