"""What a media player gets through the real Home Assistant: ours against Piper.

    python -m bench.home_assistant [--runs 3] [--data-dir DIR] [--base CHECKOUT]
        [--python "HA's python command"] [--driver PATH]

Our server (and, with --base, the one in another checkout, e.g. a `git worktree` of
main) and wyoming-piper run as processes here; Home Assistant (script/home-assistant's
2025.4.4 by default; `--python "chroot ROOT /ha/bin/python" --driver /w/driver.py` for
one in a chroot, loopback being shared) sets each up through its Wyoming integration
and a media player's GET of its tts_proxy URL is timed (support/real_home_assistant.py):
first byte and last after the pipeline's TTS stage set the message. Medians.
"""

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

from wyoming_kokoro.core.settings import default_data_dir

from .__main__ import ROOT, kokoro_server, piper_server


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.home_assistant", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--base", type=Path, help="Another checkout's server, measured too")
    parser.add_argument(
        "--python", default=str(ROOT / ".home-assistant" / "2025.4.4" / "bin" / "python")
    )
    parser.add_argument("--driver", default=str(ROOT / "support" / "real_home_assistant.py"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as logs, ExitStack() as stack:
        ours = {"kokoro": ROOT, "base": args.base.resolve()} if args.base else {"kokoro": ROOT}
        servers = {
            name: stack.enter_context(kokoro_server(args.data_dir, Path(logs), [], checkout)).port
            for name, checkout in ours.items()
        }
        servers["piper"] = stack.enter_context(piper_server(Path(logs))).port
        argv = [*shlex.split(args.python), args.driver, "--timed", str(args.runs)]
        argv += [f"{name}={port}" for name, port in servers.items()]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        sys.exit(f"Home Assistant failed:\n{done.stderr[-3000:]}")
    times: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            result = json.loads(line)
            times[result["case"], result["server"]].append(result)
    print(f"Through Home Assistant ({args.python}), {args.runs} runs, medians, seconds")
    print(f"{'case':<22} " + " ".join(f"{name + ' first/last':>19}" for name in servers))
    for case in dict.fromkeys(case for case, _ in times):
        row = f"{case:<22}"
        for name in servers:
            results = times[case, name]
            first = statistics.median(r["first_byte"] for r in results)
            last = statistics.median(r["last_byte"] for r in results)
            row += f" {first:>9.2f} / {last:<7.2f}"
        print(row)


if __name__ == "__main__":
    main()
