"""The real playground server in a subprocess, for the end-to-end test and the screenshot
tool (``tests/test_playground_browser.py``, ``tools/check_playground.py``).

    with serve() as url:        # python -m neuralab playground --port P --no-browser
        ...                     # open url in a browser
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

__all__ = ["free_port", "serve"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the system's choice).

    Returns:
        The port.

    Examples:
        >>> from neuralab.playground.browser import free_port
        >>> 1024 <= free_port() <= 65535
        True
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve(port: int | None = None, timeout: float = 30.0) -> Iterator[str]:
    """Run ``python -m neuralab playground --port PORT --no-browser`` until the block ends.

    Args:
        port: The port. Defaults to a free one.
        timeout: Seconds to wait for the server to accept connections.

    Yields:
        The page's address, ``http://127.0.0.1:PORT/``.

    Raises:
        RuntimeError: The server exited or did not listen within ``timeout`` (with its
            output).

    Examples:
        >>> import urllib.request
        >>> from neuralab.playground.browser import serve
        >>> with serve() as url:  # doctest: +SKIP
        ...     urllib.request.urlopen(url + "api/config").status
        200
    """
    port = port or free_port()
    command = [sys.executable, "-m", "neuralab", "playground", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")},
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the playground server exited: {process.communicate()[0]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the playground server did not listen on port {port} in {timeout} s"
                    ) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
