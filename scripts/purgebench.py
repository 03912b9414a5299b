#!/usr/bin/env python3
"""purgebench.py OUT: the summary of a scripts/purgebench.sh run (medians and p99s, in ms)."""
import glob, json, os, sys

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/purgebench"

def report(path):
    d = json.load(open(path))["total"]
    return f"{d['requests_per_second']:.0f} req/s, p50 {d['p50_ms']:.1f}, p99 {d['p99_ms']:.1f}, max {d['max_ms']:.1f}"

def probe(path):
    v = sorted(float(x) for x in open(path) if x.strip())
    n = len(v)
    return f"{n} writes, median {1000 * v[n // 2]:.1f}, p99 {1000 * v[min(n - 1, int(n * 0.99))]:.1f}, max {1000 * v[-1]:.1f}"

purge = json.load(open(os.path.join(out, "purge.json")))
took = float(open(os.path.join(out, "purge.time")).read())
print(f"purge: {purge['purge_count']} calls in {took:.1f} s = {purge['purge_count'] / took:.0f} calls/s; dry run {float(open(os.path.join(out, 'dry.time')).read()):.2f} s")
print("lists without a purge:", report(os.path.join(out, "bench.base.json")))
for p in sorted(glob.glob(os.path.join(out, "bench.purge.*.json")), key=lambda p: int(p.rsplit(".", 2)[1])):
    print(f"lists during the purge, round {p.rsplit('.', 2)[1]}:", report(p))
print("writes without a purge:", probe(os.path.join(out, "probe.base")))
print("writes during the purge:", probe(os.path.join(out, "probe.purge")))
