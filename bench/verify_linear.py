"""Verification time against file size for the %%EOF bomb (issue 13): linear, not quadratic.

    .venv/bin/python -m bench.verify_linear [--sizes 0.25,0.5,1,2,4]

Builds, for each size in MB, an unsigned PDF whose bytes are nearly all %%EOF markers (the
review's bomb: 1 MB took 83 s when every revision prefix was hashed) and times the document
look-up (`signing.verify.lookup.revision_digests`) and a whole verification (own verifier,
default limits). Time per MB stays flat when the work is linear.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.25,0.5,1,2,4")
    args = parser.parse_args()
    from signing.verify import lookup
    from signing.verify.trust import TrustStore
    from signing.verify.validation import Evidence, Verifier
    from tests.signing.verify import forgeries, samples

    with tempfile.TemporaryDirectory() as folder:
        verifier = Verifier(trust=TrustStore([folder]), evidence=lambda now: Evidence(),
                            clock=lambda: samples.NOW + timedelta(minutes=5),
                            max_bytes=64 * 1024 * 1024)
        print(f"{'MB':>6} {'markers':>9} {'look-up s':>10} {'verify s':>9} {'s per MB':>9}")
        for size in (float(s) for s in args.sizes.split(",")):
            markers = int(size * 1024 * 1024 / 6)
            pdf = forgeries.eof_bomb(samples.blank_pdf(), markers)
            start = time.perf_counter()
            lookup.revision_digests(pdf)
            looked = time.perf_counter() - start
            start = time.perf_counter()
            verifier.verify(pdf)
            verified = time.perf_counter() - start
            print(f"{size:>6.2f} {markers:>9} {looked:>10.3f} {verified:>9.3f} "
                  f"{(looked + verified) / size:>9.3f}")


if __name__ == "__main__":
    main()
