"""G updates per second of a run, from its metrics.jsonl, over the last four fifths of the
updates (past start-up and JIT). Usage: g_rate.py RUN/metrics.jsonl"""
import json
import sys

times = {}
for line in open(sys.argv[1]):
    try:
        event = json.loads(line)
    except ValueError:
        continue  # a torn last line of a killed run
    if event.get("event") == "g_step":
        times[event["step"]] = event["time_ms"]
last = max(times)
first = last // 5
rate = (last - first) / ((times[last] - times[first]) / 1000)
print(f"{rate:.1f} G updates/s over updates {first}-{last}")
