#!/usr/bin/env python3
"""Scrapes a training run's /metrics at a fixed rate in alternating phases (off, on, off, ...)
and, once the run has ended, compares G updates per second in the two kinds of phase.

Usage: bench/scrape.py RUN_DIR [--hz 100] [--phase-s 10] [--warmup-s 10]
Waits for RUN_DIR/http.port, then alternates until the run stops answering. Throughput per
phase comes from the run's metrics.jsonl (g_step events' time_ms), so the measurement is
the trainer's own clock, not the scraper's.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import time


def wait_port(run_dir, timeout_s=300):
    path = os.path.join(run_dir, "http.port")
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        time.sleep(0.1)
    sys.exit("no http.port in " + run_dir)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--hz", type=float, default=100.0)
    ap.add_argument("--phase-s", type=float, default=10.0)
    ap.add_argument("--warmup-s", type=float, default=10.0)
    a = ap.parse_args()
    port = wait_port(a.run_dir)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    phases = []  # (kind, start_ms, end_ms)
    latencies = []
    scrapes = 0
    failures = 0
    start = time.time()
    time.sleep(a.warmup_s)
    scraping = False
    alive = True
    while alive:
        t0 = time.time()
        kind = "on" if scraping else "off"
        end = t0 + a.phase_s
        if scraping:
            period = 1.0 / a.hz
            nxt = t0
            while time.time() < end:
                s = time.perf_counter()
                try:
                    conn.request("GET", "/metrics")
                    body = conn.getresponse().read()
                    if not body:
                        failures += 1
                    scrapes += 1
                    latencies.append(time.perf_counter() - s)
                except (OSError, http.client.HTTPException):
                    alive = False
                    break
                nxt += period
                pause = nxt - time.time()
                if pause > 0:
                    time.sleep(pause)
        else:
            while time.time() < end:
                time.sleep(0.2)
            try:  # the run still there?
                conn.request("GET", "/-/healthy")
                conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                alive = False
        if alive:
            phases.append((kind, int(t0 * 1000), int(time.time() * 1000)))
        scraping = not scraping
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    # The run has ended: wait for its last lines, then measure each phase.
    time.sleep(2)
    steps = []
    with open(os.path.join(a.run_dir, "metrics.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            if e.get("event") == "g_step":
                steps.append(e["time_ms"])
    rates = {"on": [], "off": []}
    for kind, s, e in phases:
        n = sum(1 for t in steps if s <= t < e)
        rates[kind].append(n / ((e - s) / 1000))
    on_s = sum(e - s for k, s, e in phases if k == "on") / 1000
    print(f"phases: {len(rates['off'])} unscraped, {len(rates['on'])} scraped, {a.phase_s:g} s each")
    for kind in ("off", "on"):
        r = rates[kind]
        if r:
            print(f"  {kind:>3}: median {statistics.median(r):.1f} G updates/s"
                  f" (mean {statistics.mean(r):.1f}, min {min(r):.1f}, max {max(r):.1f}; per phase: "
                  + " ".join(f"{x:.1f}" for x in r) + ")")
    if rates["on"] and rates["off"]:
        ratio = statistics.median(rates["on"]) / statistics.median(rates["off"])
        print(f"  scraped/unscraped: {ratio:.3f}")
    if latencies:
        latencies.sort()
        print(f"scrapes: {scrapes} in {on_s:.0f} s scraped = {scrapes / on_s:.1f}/s, {failures} empty;"
              f" latency p50 {1000 * latencies[len(latencies) // 2]:.2f} ms,"
              f" p99 {1000 * latencies[int(len(latencies) * 0.99)]:.2f} ms,"
              f" size {len(body)} bytes")
    print(f"wall {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
