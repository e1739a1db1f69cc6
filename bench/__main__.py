"""Run the benchmark suites and write bench/results.json: ``python -m bench [suite ...]``."""

import importlib
import sys

from bench.common import report

SUITES = ["ops", "figures", "images", "models", "pages", "presenter", "browser", "architectures", "export"]
# Run on their own, not by ``python -m bench``: they take minutes, start servers and browsers, or train.
SEPARATE = ["classroom", "replicas", "hostile", "uploads", "training", "training_browser", "augmentation",
            "transfer"]


def main(names: list[str]) -> int:
    measurements = []
    for name in names or SUITES:
        print(f"running {name} ...", flush=True)
        measurements += importlib.import_module(f"bench.{name}").run()
    print()
    return 0 if report(measurements) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
