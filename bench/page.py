"""The page at `/` in a real browser (Debian's chromium, driven by Playwright): from a
press of Speak to the first sound, at a desktop's size and a phone's.

    python -m bench.page [--runs 5] [--data-dir DIR] [--base CHECKOUT]

Two cases: Speak on an idle server, and Speak pressed again while a long answer
plays (the page stops that one; the server must let it go). The first sound is when
the page's first piece of audio is scheduled to play, read from inside the page.
With --base, the server and page of another checkout (e.g. a `git worktree` of
main) are measured in the same run, alternating. Medians, seconds.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from wyoming_kokoro.core.settings import default_data_dir

from .__main__ import checkouts, kokoro_with_http

SHORT = "The kitchen lights are on."
LONG = " ".join(["The weather will be sunny with a light breeze, and warm in the afternoon."] * 4)
SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}

# When each piece of audio is to sound, on the page's clock, and when Speak was pressed.
LISTENS = """
window.sounds = [];
const start = AudioBufferSourceNode.prototype.start;
AudioBufferSourceNode.prototype.start = function (when = 0, ...rest) {
  const ahead = Math.max(0, when - this.context.currentTime);
  window.sounds.push(performance.now() + 1000 * ahead);
  return start.call(this, when, ...rest);
};
document.addEventListener("click", (event) => {
  if (event.target.id === "speak") { window.pressed = performance.now(); window.sounds = []; }
}, true);
"""


def first_sound(page: Any, text: str) -> float:
    """Seconds from Speak to the first sound of `text`'s answer."""
    page.fill("#text", text)
    page.click("#speak")
    page.wait_for_function("window.sounds.length > 0", timeout=120_000)
    return float(page.evaluate("(window.sounds[0] - window.pressed) / 1000"))


def measure(page: Any) -> dict[str, float]:
    idle = first_sound(page, SHORT)
    page.wait_for_selector("#player[data-seconds]", timeout=120_000)
    first_sound(page, LONG)
    page.wait_for_function("window.sounds.length > 4", timeout=120_000)  # it plays
    interrupting = first_sound(page, SHORT)
    page.wait_for_selector("#player[data-seconds]", timeout=120_000)
    return {"idle": idle, "while another plays": interrupting}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.page", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--base", type=Path, help="Another checkout's server, measured too")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("No chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    times: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as logs, ExitStack() as stack:
        sites = {
            name: stack.enter_context(kokoro_with_http(args.data_dir, Path(logs), checkout))[1]
            for name, checkout in checkouts(args.base).items()
        }
        driver = stack.enter_context(sync_playwright())
        browser = driver.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        for run in range(args.runs + 1):  # the first warms each server
            for name, site in sites.items():
                for size, options in SIZES.items():
                    context = browser.new_context(**options)
                    context.add_init_script(LISTENS)
                    page = context.new_page()
                    page.goto(site)
                    page.wait_for_selector("body[data-ready=yes]")
                    for case, seconds in measure(page).items():
                        if run:
                            times[name, size, case].append(seconds)
                    context.close()
        browser.close()
    print(f"Speak to the first sound in the page, medians of {args.runs}, seconds")
    for (name, size, case), values in times.items():
        print(f"{name:<14} {size:<8} {case:<20} {statistics.median(values):.3f}")


if __name__ == "__main__":
    main()
