#!/usr/bin/env python3
"""In-process PEP 740 verification throughput of pypi-attestations (the baseline for
bench/verify-lock.sh): verifies one real attestation N times against its Trusted Publisher,
offline (sigstore's embedded trust root, no TUF refresh), and prints the total milliseconds.

    verify-lock-attest.py ATTESTATION DIST_FILENAME SHA256 OWNER/REPO WORKFLOW N
"""
import sys
import time

from pypi_attestations import Attestation, Distribution, GitHubPublisher


def main() -> None:
    path, filename, digest, repo, workflow, n = sys.argv[1:7]
    raw = open(path, "rb").read()
    dist = Distribution(name=filename, digest=digest)
    publisher = GitHubPublisher(repository=repo, workflow=workflow)
    # One warm-up (imports, trust root load) outside the timing.
    Attestation.model_validate_json(raw).verify(publisher, dist, offline=True)
    t0 = time.perf_counter()
    for _ in range(int(n)):
        Attestation.model_validate_json(raw).verify(publisher, dist, offline=True)
    print(f"{(time.perf_counter() - t0) * 1000:.0f}")


if __name__ == "__main__":
    main()
