"""Open a lab report in headless Chromium and check it: every image loads, the page raises
no JavaScript error and logs no console error, no request fails and every link of the
table of contents has its section. Optionally save a full-page screenshot for a person to
look at.

    .venv/bin/neuralab lab --quick --out runs/lab
    .venv/bin/python tools/check_report.py runs/lab/index.html --screenshot runs/lab/screenshot.png

Exit status 0 when the page is fine, 1 when a problem was found (each one printed), 2 when
no page or no Chromium was found. The checks are ``neuralab.lab.browser.check_report``;
the test suite runs them on a small report (tests/test_report_browser.py).
"""

from __future__ import annotations

import argparse
import sys

from neuralab.lab.browser import check_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="the report's index.html")
    parser.add_argument("--screenshot", help="write a full-page PNG screenshot here")
    parser.add_argument("--chromium", help="the Chromium binary (default: $CHROMIUM or PATH)")
    args = parser.parse_args(argv)
    try:
        result = check_report(args.page, args.screenshot, executable=args.chromium)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    loaded = sum(ok for _, ok in result.images)
    print(f"{result.title}: {loaded} of {len(result.images)} images loaded, "
          f"{len(result.links)} in-page links")  # fmt: skip
    for problem in result.problems:
        print(problem)
    if args.screenshot:
        print(f"wrote {args.screenshot}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
