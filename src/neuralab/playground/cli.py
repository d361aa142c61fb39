"""``neuralab playground [--host H] [--port P] [--no-browser]``: serve the playground with
uvicorn and open it in the browser.

The server listens on 127.0.0.1 (this machine only) unless told otherwise; another address
gets a warning on standard error, since anyone who can reach it can use the server's CPU.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import webbrowser
from typing import Any

__all__ = ["LOOPBACK", "add_parser", "command", "port"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def port(text: str) -> int:
    """A TCP port number, 1 to 65535 (argparse type).

    Args:
        text: The argument.

    Returns:
        The port.

    Raises:
        argparse.ArgumentTypeError: Not an integer in [1, 65535].

    Examples:
        >>> from neuralab.playground.cli import port
        >>> port("8765")
        8765
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number 1-65535, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 1-65535, got {text!r}")
    return value


def add_parser(commands: Any) -> None:
    """Add the ``playground`` subcommand to ``neuralab``'s subparsers.

    Args:
        commands: The ``add_subparsers()`` object of the ``neuralab`` parser.

    Examples:
        >>> import argparse
        >>> from neuralab.playground.cli import add_parser
        >>> parser = argparse.ArgumentParser(prog="neuralab")
        >>> add_parser(parser.add_subparsers(dest="command"))
        >>> parser.parse_args(["playground", "--port", "9000"]).port
        9000
    """
    parser = commands.add_parser(
        "playground", help="build a network in the browser and watch it learn"
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on: this machine only by default; another address is warned about",
    )
    parser.add_argument("--port", type=port, default=8765, help="port")
    parser.add_argument(
        "--no-browser", action="store_true", help="do not open the page in a browser"
    )


def command(args: argparse.Namespace) -> int:
    """Serve the playground until interrupted (Ctrl+C).

    Args:
        args: The parsed arguments (``host``, ``port``, ``no_browser``).

    Returns:
        The exit status, 0.

    Raises:
        ImportError: The ``playground`` extra (Starlette, uvicorn) is not installed.
        OSError: The address cannot be listened on (a port in use, an unknown host).

    Examples:
        >>> from neuralab.cli import build_parser
        >>> from neuralab.playground.cli import command
        >>> command(build_parser().parse_args(["playground"]))  # doctest: +SKIP
        neuralab playground: http://127.0.0.1:8765/ (Ctrl+C to stop)
    """
    try:
        import uvicorn

        from neuralab.playground.server import create_app
    except ImportError as error:
        raise ImportError(
            f"{error}: the playground needs pip install 'neuralab[playground]'"
        ) from None
    if args.host not in LOOPBACK:
        print(
            f"neuralab playground: warning: listening on {args.host}, not 127.0.0.1: anyone "
            "who can reach this address can use the playground",
            file=sys.stderr,
        )
    _check_free(args.host, args.port)
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{args.port}/"
    print(f"neuralab playground: {url} (Ctrl+C to stop)", flush=True)
    if not args.no_browser:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    try:  # no lifespan: the app has no start-up work, and uvicorn logs its cancellation
        uvicorn.run(
            create_app(), host=args.host, port=args.port, log_level="warning", lifespan="off"
        )
    except SystemExit as stop:  # uvicorn's own exit (3) when it cannot start
        if stop.code:
            raise OSError(f"the server could not start on {url} (see the message above)") from None
    except KeyboardInterrupt:  # Ctrl+C, when uvicorn passes it on
        pass
    print("neuralab playground: stopped", file=sys.stderr)  # Ctrl+C: its normal end
    return 0


def _check_free(host: str, port: int) -> None:
    """Raise OSError (one line, exit status 1) when ``host:port`` cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = error.strerror or str(error)
            raise OSError(f"cannot listen on {host} port {port}: {reason}") from None
