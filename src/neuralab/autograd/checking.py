"""Gradient checking: analytical gradients against central finite differences.

For a function f and an input x, the numerical Jacobian column j is

    dF/dx_j ~= (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)

with an error of order eps^2; the analytical row i is what backward gives for the output
gradient e_i. The two must agree within ``atol + rtol * |numerical|`` in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy

from neuralab.tensor import Tensor, no_grad


class GradcheckError(RuntimeError):
    """The analytical and numerical Jacobians differ (a RuntimeError).

    The message names the input, the output, the worst entry and how many entries differ.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.autograd import Function, gradcheck
        >>> class Wrong(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         return x * 2
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         return g * 3  # should be 2
        >>> gradcheck(Wrong.apply, nl.ones(2, dtype=nl.float64, requires_grad=True))
        Traceback (most recent call last):
        neuralab.autograd.checking.GradcheckError: gradcheck: Jacobian mismatch for output 0 ...
    """


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable[..., Any], inputs: tuple) -> tuple[Tensor, ...]:
    outs = _as_tuple(fn(*inputs))
    for out in outs:
        if not isinstance(out, Tensor):
            raise TypeError(f"gradcheck: the function must return Tensors, got {type(out)}")
    return outs


def numerical_jacobian(
    fn: Callable[..., Any], inputs: Sequence[Any], index: int, eps: float = 1e-6
) -> list[numpy.ndarray]:
    """Central-difference Jacobian of each output with respect to ``inputs[index]``.

        J[:, j] = (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)

    Args:
        fn: A function of the inputs returning a Tensor or a tuple of Tensors.
        inputs: The inputs of fn; ``inputs[index]`` is perturbed in place and restored.
        index: Which input to differentiate with respect to.
        eps: The step of the differences. Defaults to 1e-6.

    Returns:
        One float64 array of shape (output size, input size) per output.

    Raises:
        TypeError: fn returns something other than Tensors.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.autograd import numerical_jacobian
        >>> x = nl.tensor([1.0, 2.0], dtype=nl.float64)
        >>> numerical_jacobian(lambda t: t ** 2, [x], 0)[0].round(6).tolist()
        [[2.0, 0.0], [0.0, 4.0]]
    """
    inputs = tuple(inputs)
    x = inputs[index]._data
    flat = x.reshape(-1)  # a view: writes perturb the input in place
    with no_grad():
        sizes = [o._data.size for o in _outputs(fn, inputs)]
        jacobians = [numpy.zeros((n, x.size)) for n in sizes]
        for j in range(x.size):
            original = flat[j]
            flat[j] = original + eps
            plus = [o._data.reshape(-1).astype(numpy.float64) for o in _outputs(fn, inputs)]
            flat[j] = original - eps
            minus = [o._data.reshape(-1).astype(numpy.float64) for o in _outputs(fn, inputs)]
            flat[j] = original
            for jac, p, m in zip(jacobians, plus, minus):
                jac[:, j] = (p - m) / (2 * eps)
    return jacobians


def analytical_jacobian(
    fn: Callable[..., Any], inputs: Sequence[Any], index: int
) -> list[numpy.ndarray]:
    """The Jacobian of each output with respect to ``inputs[index]``, by backward.

    One backward per output element; the inputs' ``.grad`` are left None.

    Args:
        fn: A function of the inputs returning a Tensor or a tuple of Tensors.
        inputs: The inputs of fn; ``inputs[index]`` must require grad.
        index: Which input to differentiate with respect to.

    Returns:
        One float64 array of shape (output size, input size) per output.

    Raises:
        TypeError: fn returns something other than Tensors.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.autograd import analytical_jacobian
        >>> x = nl.tensor([1.0, 2.0], dtype=nl.float64, requires_grad=True)
        >>> analytical_jacobian(lambda t: t ** 2, [x], 0)[0].tolist()
        [[2.0, 0.0], [0.0, 4.0]]
    """
    inputs = tuple(inputs)
    x = inputs[index]
    outs = _outputs(fn, inputs)
    jacobians = []
    for out in outs:
        jac = numpy.zeros((out._data.size, x._data.size))
        if out.requires_grad:
            for i in range(out._data.size):
                for t in inputs:
                    if isinstance(t, Tensor):
                        t.grad = None
                seed = numpy.zeros(out._data.size, dtype=out._data.dtype)
                seed[i] = 1
                out.backward(seed.reshape(out._data.shape), retain_graph=True)
                if x.grad is not None:
                    jac[i] = x.grad._data.reshape(-1)
        jacobians.append(jac)
    for t in inputs:
        if isinstance(t, Tensor):
            t.grad = None
    return jacobians


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check fn's gradients for every input that requires grad against finite differences.

    Entries pass when ``|analytical - numerical| <= atol + rtol * |numerical|``.

    Args:
        fn: A function of the inputs returning a Tensor or a tuple of Tensors.
        inputs: A Tensor or a tuple of inputs; those that require grad must be float64
            (float32 differences are too coarse).
        eps: The step of the finite differences. Defaults to 1e-6.
        atol: Absolute tolerance. Defaults to 1e-5.
        rtol: Relative tolerance. Defaults to 1e-3.
        raise_exception: Raise on a mismatch instead of returning False. Defaults to True.

    Returns:
        True if the Jacobians agree (False on a mismatch without raise_exception).

    Raises:
        GradcheckError: A mismatch, naming the input, the output and the worst entry.
        ValueError: No input requires grad.
        TypeError: An input that requires grad is not float64, or fn returns something
            other than Tensors.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([0.5, -1.0, 2.0], dtype=nl.float64, requires_grad=True)
        >>> nl.autograd.gradcheck(lambda t: (t.tanh() * t).sum(), x)
        True
    """
    inputs = _as_tuple(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    for i in checked:
        if inputs[i].dtype != numpy.float64:
            raise TypeError(f"gradcheck: input {i} must be float64, got {inputs[i].dtype}")
    for i in checked:
        numeric = numerical_jacobian(fn, inputs, i, eps)
        analytic = analytical_jacobian(fn, inputs, i)
        for k, (num, ana) in enumerate(zip(numeric, analytic)):
            bad = ~numpy.isclose(ana, num, rtol=rtol, atol=atol)
            if bad.any():
                if not raise_exception:
                    return False
                row, col = numpy.argwhere(bad)[0]
                raise GradcheckError(
                    f"gradcheck: Jacobian mismatch for output {k} with respect to input {i}: "
                    f"at [{row}, {col}] analytical {ana[row, col]:.8g} vs numerical "
                    f"{num[row, col]:.8g} ({int(bad.sum())} of {bad.size} entries differ)"
                )
    return True
