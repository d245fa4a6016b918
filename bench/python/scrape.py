#!/usr/bin/env python3
"""Scrapes a training run's /metrics at a fixed rate in alternating phases (off, on, off, ...)
and, once the run has ended, compares G updates per second in the two kinds of phase.

Usage: bench/python/scrape.py RUN_DIR [--hz 100] [--phase-s 10] [--warmup-s 20] [--path /metrics]
Waits for RUN_DIR/http.port, then alternates until the run stops answering. Throughput per
phase comes from the run's metrics.jsonl (g_step events' time_ms), so the measurement is
the trainer's own clock, not the scraper's.
"""
import argparse
import http.client
import json
import os
import queue
import statistics
import sys
import threading
import time


WORKERS = 8


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
    ap.add_argument("--warmup-s", type=float, default=20.0)
    # A control: --path /-/healthy costs the client and the HTTP round trip, no rendering.
    ap.add_argument("--path", default="/metrics")
    a = ap.parse_args()
    port = wait_port(a.run_dir)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    phases = []  # (kind, start_ms, end_ms)
    latencies = []
    scrapes = 0
    failures = 0
    size = 0
    start = time.time()
    time.sleep(a.warmup_s)
    scraping = False
    alive = True
    while alive:
        t0 = time.time()
        kind = "on" if scraping else "off"
        end = t0 + a.phase_s
        if scraping:
            # A fixed-rate schedule feeding WORKERS keep-alive connections: a slow answer
            # (a loaded machine) delays one worker, not the rate.
            tokens = queue.Queue()
            stop = threading.Event()
            lock = threading.Lock()
            counts = {"n": 0, "fail": 0, "dead": False, "size": 0}

            def worker():
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                while True:
                    if tokens.get() is None:
                        break
                    s0 = time.perf_counter()
                    try:
                        c.request("GET", a.path)
                        body = c.getresponse().read()
                    except (OSError, http.client.HTTPException):
                        with lock:
                            counts["dead"] = True
                        break
                    with lock:
                        counts["n"] += 1
                        counts["size"] = len(body)
                        counts["fail"] += 0 if body else 1
                        latencies.append(time.perf_counter() - s0)
                c.close()

            threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
            for t in threads:
                t.start()
            period = 1.0 / a.hz
            nxt = t0
            while time.time() < end and not counts["dead"]:
                tokens.put(1)
                nxt += period
                pause = nxt - time.time()
                if pause > 0:
                    time.sleep(pause)
            # Tokens not taken by the end of the phase are dropped: they would spill over.
            while True:
                try:
                    tokens.get_nowait()
                except queue.Empty:
                    break
            for _ in threads:
                tokens.put(None)
            for t in threads:
                t.join(10)
            scrapes += counts["n"]
            failures += counts["fail"]
            size = counts["size"]
            alive = not counts["dead"]
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
        print(f"  scraped/unscraped, medians: {ratio:.3f}")
        # Paired: each scraped phase against the mean of the unscraped phases on either side,
        # which cancels slow drifts in the machine's load.
        seq = []
        for kind, s, e in phases:
            n = sum(1 for t in steps if s <= t < e)
            seq.append((kind, n / ((e - s) / 1000)))
        pairs = [seq[i][1] / ((seq[i - 1][1] + seq[i + 1][1]) / 2)
                 for i in range(1, len(seq) - 1) if seq[i][0] == "on"]
        if pairs:
            print(f"  scraped/neighbouring unscraped, paired: median {statistics.median(pairs):.3f}"
                  f" over {len(pairs)} pairs (" + " ".join(f"{x:.2f}" for x in pairs) + ")")
    if latencies:
        latencies.sort()
        print(f"scrapes: {scrapes} in {on_s:.0f} s scraped = {scrapes / on_s:.1f}/s, {failures} empty;"
              f" latency p50 {1000 * latencies[len(latencies) // 2]:.2f} ms,"
              f" p99 {1000 * latencies[int(len(latencies) * 0.99)]:.2f} ms,"
              f" size {size} bytes, {WORKERS} connections")
    print(f"wall {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
