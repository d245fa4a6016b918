#!/usr/bin/env python3
"""Writes the Grafana dashboards (agon-run.json, agon-compare.json) of this directory.

The JSON files are the product (Grafana provisions them); this script is how they are made:
edit it, run `python3 dashboards/build.py`, commit both. Every query uses only meters that
Agon exports (dev.agon.metrics.Meters, plus the JVM/process binders and Prometheus' `up`);
the integration test evaluates each one against a live run.
"""
import json
import os

DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'instance=~"$instance", run=~"$run"'


class Ids:
    def __init__(self):
        self.n = 0

    def next(self):
        self.n += 1
        return self.n


def target(expr, legend="", ref="A", instant=False):
    t = {"datasource": DS, "editorMode": "code", "expr": expr, "legendFormat": legend or "__auto",
         "range": not instant, "instant": instant, "refId": ref}
    return t


def targets(*specs, instant=False):
    out = []
    for i, s in enumerate(specs):
        expr, legend = s if isinstance(s, tuple) else (s, "")
        out.append(target(expr, legend, chr(ord("A") + i), instant))
    return out


def field_defaults(unit=None, decimals=None, mappings=None, thresholds=None, mn=None, mx=None,
                   no_value=None):
    d = {"color": {"mode": "palette-classic"}, "mappings": mappings or []}
    if unit:
        d["unit"] = unit
    if decimals is not None:
        d["decimals"] = decimals
    if mn is not None:
        d["min"] = mn
    if mx is not None:
        d["max"] = mx
    if no_value:
        d["noValue"] = no_value
    if thresholds:
        d["color"] = {"mode": "thresholds"}
        d["thresholds"] = {"mode": "absolute", "steps": thresholds}
    return d


GREEN = [{"color": "green", "value": None}]


def stat(ids, title, specs, pos, unit=None, decimals=None, mappings=None, thresholds=None,
         description=""):
    return {
        "id": ids.next(), "type": "stat", "title": title, "description": description,
        "datasource": DS, "gridPos": pos,
        "fieldConfig": {"defaults": field_defaults(unit, decimals, mappings,
                                                   thresholds or GREEN, no_value="not yet"),
                        "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "value", "graphMode": "area", "justifyMode": "auto",
                    "orientation": "auto", "textMode": "auto", "wideLayout": True,
                    "showPercentChange": False},
        "targets": targets(*specs, instant=False),
    }


def ts(ids, title, specs, pos, unit=None, description="", mn=None, mx=None, stack=False):
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 0, "showPoints": "never",
              "spanNulls": True, "axisPlacement": "auto",
              "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
    defaults = field_defaults(unit, mn=mn, mx=mx)
    defaults["custom"] = custom
    return {
        "id": ids.next(), "type": "timeseries", "title": title, "description": description,
        "datasource": DS, "gridPos": pos,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True,
                               "calcs": []},
                    "tooltip": {"mode": "multi", "sort": "none"}},
        "targets": targets(*specs),
    }


def row(ids, title, y):
    return {"id": ids.next(), "type": "row", "title": title, "collapsed": False,
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []}


def grid(x, y, w, h):
    return {"x": x, "y": y, "w": w, "h": h}


def variables(extra):
    ds = {"name": "datasource", "label": "Data source", "type": "datasource",
          "query": "prometheus", "hide": 0, "refresh": 1, "regex": "",
          "skipUrlSync": False}
    return {"list": [ds] + extra}


def query_var(name, label, query, multi=False, include_all=False):
    v = {"name": name, "label": label, "type": "query", "datasource": DS,
         "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
         "hide": 0, "refresh": 2, "regex": "", "sort": 1,
         "multi": multi, "includeAll": include_all, "skipUrlSync": False}
    if include_all:
        v["allValue"] = ".*"
    return v


def dashboard(uid, title, description, panels, templating, tags):
    return {
        "uid": uid, "title": title, "description": description, "tags": tags,
        "editable": True, "graphTooltip": 1, "fiscalYearStartMonth": 0, "liveNow": False,
        "refresh": "10s", "schemaVersion": 39, "version": 1,
        "time": {"from": "now-1h", "to": "now"}, "timepicker": {}, "timezone": "",
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [], "templating": templating, "panels": panels,
    }


STATE_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "starting", "color": "blue", "index": 0},
    "1": {"text": "running", "color": "green", "index": 1},
    "2": {"text": "finishing", "color": "yellow", "index": 2},
    "3": {"text": "finished", "color": "purple", "index": 3},
    "4": {"text": "failed", "color": "red", "index": 4},
    "5": {"text": "waiting for role", "color": "orange", "index": 5},
    "6": {"text": "restarting", "color": "orange", "index": 6}}}]


ROLE_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "missing", "color": "red", "index": 0},
    "1": {"text": "up", "color": "green", "index": 1}}}]

CL = 'run=~"$run"'


def run_dashboard():
    ids = Ids()
    p = []
    y = 0
    p.append(row(ids, "Overview", y)); y += 1
    p.append(stat(ids, "State", [f'agon_training_state{{{SEL}}}'], grid(0, y, 3, 4),
                  mappings=STATE_MAPPINGS, description="Training state of the run."))
    p.append(stat(ids, "G steps", [f'agon_optimizer_steps_total{{{SEL}, network="generator"}}'],
                  grid(3, y, 3, 4), decimals=0))
    p.append(stat(ids, "G steps/s",
                  [f'rate(agon_optimizer_steps_total{{{SEL}, network="generator"}}[$__rate_interval])'],
                  grid(6, y, 3, 4), decimals=1))
    p.append(stat(ids, "Inception Score", [f'agon_eval_inception_score{{{SEL}}}'],
                  grid(9, y, 3, 4), decimals=2,
                  description="Image runs only; NaN (shown as 'not yet') until the first score."))
    p.append(stat(ids, "FID", [f'agon_eval_fid{{{SEL}}}'], grid(12, y, 3, 4), decimals=1))
    p.append(stat(ids, "Time since last step",
                  [f'time() - agon_last_step_timestamp_seconds{{{SEL}, network="generator"}}'],
                  grid(15, y, 3, 4), unit="s",
                  thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 60},
                              {"color": "red", "value": 600}]))
    p.append({"id": ids.next(), "type": "text", "title": "Latest samples",
              "description": "samples/latest.png served by the trainer (status_url).",
              "gridPos": grid(18, y, 6, 8),
              "options": {"mode": "html", "code": {"language": "html", "showLineNumbers": False,
                                                   "showMiniMap": False},
                          "content": '<img src="${status_url}/samples/latest.png" alt="latest samples" style="max-width:100%;max-height:100%">'}})
    p.append(stat(ids, "Modes captured (2-D)", [f'agon_eval_modes_captured{{{SEL}}}'],
                  grid(0, y + 4, 4, 4), decimals=0))
    p.append(stat(ids, "Last evaluated G step", [f'agon_eval_step{{{SEL}}}'],
                  grid(4, y + 4, 4, 4), decimals=0))
    p.append(stat(ids, "Progress",
                  [f'agon_optimizer_steps_total{{{SEL}, network="generator"}} / ignoring (network) agon_training_iterations_target{{{SEL}}}'],
                  grid(8, y + 4, 5, 4), unit="percentunit", decimals=1))
    p.append(stat(ids, "Up", [f'up{{instance=~"$instance"}}'], grid(13, y + 4, 5, 4),
                  mappings=[{"type": "value", "options": {
                      "0": {"text": "down", "color": "red", "index": 0},
                      "1": {"text": "up", "color": "green", "index": 1}}}]))
    y += 8

    p.append(row(ids, "Losses and D outputs", y)); y += 1
    p.append(ts(ids, "Loss", [(f'agon_loss{{{SEL}, term="total"}}', "{{network}}")],
                grid(0, y, 8, 8), description="Last loss per network; WGAN losses can be negative."))
    p.append(ts(ids, "Historical-averaging penalty",
                [(f'agon_loss{{{SEL}, term="averaging"}}', "{{network}}")], grid(8, y, 8, 8)))
    p.append(ts(ids, "Mean D outputs", [(f'agon_discriminator_output_mean{{{SEL}}}', "D(x) {{term}}"),
                                        (f'agon_discriminator_accuracy_ratio{{{SEL}}}', "D accuracy")],
                grid(16, y, 8, 8)))
    y += 8
    p.append(ts(ids, "Non-finite losses",
                [(f'increase(agon_loss_nonfinite_total{{{SEL}}}[$__rate_interval])', "{{network}}")],
                grid(0, y, 8, 7)))
    p.append(ts(ids, "Gradient norm", [(f'agon_gradient_norm{{{SEL}}}', "{{network}}")],
                grid(8, y, 8, 7)))
    p.append(ts(ids, "Learning rate", [(f'agon_learning_rate{{{SEL}}}', "{{network}}")],
                grid(16, y, 8, 7)))
    y += 7

    p.append(row(ids, "Quality and mode collapse", y)); y += 1
    p.append(ts(ids, "Inception Score (± std)", [
        (f'agon_eval_inception_score{{{SEL}}}', "IS"),
        (f'agon_eval_inception_score{{{SEL}}} + agon_eval_inception_score_std{{{SEL}}}', "IS + std"),
        (f'agon_eval_inception_score{{{SEL}}} - agon_eval_inception_score_std{{{SEL}}}', "IS - std"),
        (f'agon_eval_inception_score_best{{{SEL}}}', "best")], grid(0, y, 8, 8)))
    p.append(ts(ids, "FID and KID", [(f'agon_eval_fid{{{SEL}}}', "FID"),
                                    (f'agon_eval_kid{{{SEL}}}', "KID")], grid(8, y, 8, 8)))
    p.append(ts(ids, "Precision, recall, density, coverage", [
        (f'agon_eval_precision_ratio{{{SEL}}}', "precision"),
        (f'agon_eval_recall_ratio{{{SEL}}}', "recall"),
        (f'agon_eval_density{{{SEL}}}', "density"),
        (f'agon_eval_coverage_ratio{{{SEL}}}', "coverage")], grid(16, y, 8, 8)))
    y += 8
    p.append(ts(ids, "Class coverage and duplicates", [
        (f'agon_eval_class_coverage_ratio{{{SEL}}}', "classes present"),
        (f'agon_eval_duplicate_ratio{{{SEL}}}', "near-duplicates")], grid(0, y, 6, 8),
        unit="percentunit"))
    # Beside the classifier's: the classifier-free indicators every image data set has, with the
    # collapse alert's thresholds (duplicates >= 0.5 or distance ratio <= 0.25).
    p.append(ts(ids, "Pixel-space collapse (no classifier needed)", [
        (f'agon_eval_pixel_duplicate_ratio{{{SEL}}}', "near-duplicates"),
        (f'agon_eval_pixel_distance_ratio{{{SEL}}}', "distance ratio to data")], grid(6, y, 6, 8),
        description="Sample pairs closer in pixel space than the real images' 1st-percentile"
                    " nearest-neighbour distance, and the samples' mean pairwise distance over the"
                    " real images'. Collapsed onto one image: 1 and 0; as varied as the data: about"
                    " 0 and 1. The collapse alert fires at >= 0.5 or <= 0.25.", mn=0))
    p.append(ts(ids, "2-D modes", [(f'agon_eval_modes_captured{{{SEL}}}', "captured"),
                                  (f'agon_eval_modes_real{{{SEL}}}', "real")], grid(12, y, 6, 8)))
    p.append(ts(ids, "2-D quality and JSD bound", [
        (f'agon_eval_high_quality_ratio{{{SEL}}}', "% high quality"),
        (f'agon_eval_reverse_kl{{{SEL}}}', "reverse KL"),
        (f'agon_eval_jsd_bound{{{SEL}}}', "JSD bound")], grid(18, y, 6, 8)))
    y += 8
    p.append(ts(ids, "Evaluated G step and age", [
        (f'agon_eval_step{{{SEL}}}', "G step scored")], grid(0, y, 12, 7)))
    p.append(ts(ids, "Evaluation age and duration", [
        (f'time() - agon_eval_timestamp_seconds{{{SEL}}}', "since last evaluation"),
        (f'agon_eval_duration_seconds{{{SEL}}}', "scoring time"),
        (f'increase(agon_evaluations_skipped_total{{{SEL}}}[$__rate_interval])', "skipped")],
        grid(12, y, 12, 7), unit="s"))
    y += 7
    # The label-using variants (issue 16): NaN, so empty, on the runs that are neither.
    p.append(ts(ids, "D's test accuracy as a classifier (semi-supervised)", [
        (f'agon_eval_classifier_accuracy{{{SEL}}}', "D classifier")], grid(0, y, 12, 7),
        unit="percentunit", mn=0, mx=1,
        description="objective.kind = semi-supervised: argmax of D's K class logits on the"
                    " Fashion-MNIST split the run does not train on, at each evaluation (what"
                    " `agon eval --metrics classifier` prints)."))
    p.append(ts(ids, "InfoGAN mutual-information term", [
        (f'agon_infogan_loss{{{SEL}}}', "{{network}}")], grid(12, y, 12, 7),
        description="model.infogan: -E[log Q(c | G(z, c))] in nats, before its weight, of each"
                    " network's last update; falls as Q recovers the codes from G's samples."))
    y += 7

    p.append(row(ids, "Throughput and data", y)); y += 1
    p.append(ts(ids, "Updates per second",
                [(f'rate(agon_optimizer_steps_total{{{SEL}}}[$__rate_interval])', "{{network}}")],
                grid(0, y, 8, 8), unit="ops"))
    p.append(ts(ids, "Samples per second",
                [(f'rate(agon_samples_consumed_total{{{SEL}}}[$__rate_interval])', "{{network}}")],
                grid(8, y, 8, 8)))
    p.append(ts(ids, "Step duration (p50, p95)", [
        (f'histogram_quantile(0.5, sum by (le, network) (rate(agon_step_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))', "p50 {{network}}"),
        (f'histogram_quantile(0.95, sum by (le, network) (rate(agon_step_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))', "p95 {{network}}")],
        grid(16, y, 8, 8), unit="s"))
    y += 8
    p.append(ts(ids, "Data loader queue", [(f'agon_data_queue_depth{{{SEL}}}', "batches ready")],
                grid(0, y, 8, 7)))
    p.append(ts(ids, "Time starved for data",
                [(f'rate(agon_data_wait_seconds_total{{{SEL}}}[$__rate_interval])', "fraction waiting")],
                grid(8, y, 8, 7), unit="percentunit"))
    p.append(ts(ids, "Schedule and staleness", [
        (f'agon_schedule_k{{{SEL}}}', "k"), (f'agon_schedule_staleness_bound{{{SEL}}}', "s"),
        (f'agon_staleness_observed{{{SEL}}}', "observed {{network}}")], grid(16, y, 8, 7)))
    y += 7

    p.append(row(ids, "Actors and health", y)); y += 1
    p.append(ts(ids, "Mailbox size", [(f'agon_actor_mailbox_size{{{SEL}}}', "{{actor}}")],
                grid(0, y, 8, 7)))
    p.append(ts(ids, "Messages per second",
                [(f'rate(agon_actor_messages_total{{{SEL}}}[$__rate_interval])', "{{actor}}")],
                grid(8, y, 8, 7)))
    p.append(ts(ids, "Restarts",
                [(f'increase(agon_actor_restarts_total{{{SEL}}}[$__rate_interval])', "{{actor}}")],
                grid(16, y, 8, 7)))
    y += 7

    p.append(row(ids, "Checkpoints", y)); y += 1
    p.append(stat(ids, "Checkpoints written", [f'agon_checkpoints_total{{{SEL}}}'],
                  grid(0, y, 6, 5), decimals=0))
    p.append(stat(ids, "Since last checkpoint",
                  [f'time() - agon_checkpoint_last_success_timestamp_seconds{{{SEL}}}'],
                  grid(6, y, 6, 5), unit="s",
                  description="Since the run started while there is none yet."))
    p.append(ts(ids, "Checkpoint duration",
                [(f'agon_checkpoint_duration_seconds{{{SEL}}}', "last")], grid(12, y, 12, 5),
                unit="s"))
    y += 5

    p.append(row(ids, "GPU and JVM", y)); y += 1
    p.append(ts(ids, "Off-heap memory (host: RSS outside the JVM)", [(f'agon_nd4j_memory_bytes{{{SEL}}}', "{{gpu}}")],
                grid(0, y, 8, 8), unit="bytes"))
    p.append(ts(ids, "JVM heap", [
        (f'sum by (run) (jvm_memory_used_bytes{{{SEL}, area="heap"}})', "used"),
        (f'sum by (run) (jvm_memory_committed_bytes{{{SEL}, area="heap"}})', "committed"),
        (f'sum by (run) (jvm_memory_max_bytes{{{SEL}, area="heap"}} > 0)', "max")],
        grid(8, y, 8, 8), unit="bytes"))
    p.append(ts(ids, "CPU and threads", [
        (f'process_cpu_usage{{{SEL}}}', "process CPU"),
        (f'system_cpu_usage{{{SEL}}}', "system CPU")], grid(16, y, 8, 8), unit="percentunit"))
    y += 8
    p.append(ts(ids, "Allocation rate",
                [(f'rate(jvm_gc_memory_allocated_bytes_total{{{SEL}}}[$__rate_interval])', "allocated")],
                grid(0, y, 12, 7), unit="Bps"))
    p.append(ts(ids, "Live threads", [(f'jvm_threads_live_threads{{{SEL}}}', "live")],
                grid(12, y, 12, 7)))

    y += 7

    # Cluster (agon node): every node of the run, whatever the instance variable says; empty for
    # a one-JVM run. Roles and placement come from the coordinator node alone.
    p.append(row(ids, "Cluster", y)); y += 1
    p.append(stat(ids, "Members up", [f'max by (run) (agon_cluster_members_up{{{CL}}})'],
                  grid(0, y, 4, 6), decimals=0,
                  description="Cluster members Up, as the nodes see the membership."))
    p.append(stat(ids, "Roles up", [(f'agon_cluster_role_up{{{CL}}}', "{{cluster_role}}")],
                  grid(4, y, 10, 6), decimals=0, mappings=ROLE_MAPPINGS,
                  thresholds=[{"color": "red", "value": None}, {"color": "green", "value": 1}],
                  description="Per role: up while a node holds it, missing otherwise."))
    placement = stat(ids, "Role placement",
                     [(f'agon_cluster_role_placement{{{CL}}}', "{{cluster_role}} @ {{member}}")],
                     grid(14, y, 10, 6),
                     description="Which node (host:port) holds each role.")
    placement["options"]["textMode"] = "name"
    p.append(placement)
    y += 6
    p.append(ts(ids, "Transport bytes/s per stream", [
        (f'sum by (stream) (rate(agon_transport_sent_bytes_total{{{CL}}}[$__rate_interval]))',
         "sent {{stream}}"),
        (f'sum by (stream) (rate(agon_transport_received_bytes_total{{{CL}}}[$__rate_interval]))',
         "received {{stream}}")], grid(0, y, 12, 7), unit="Bps"))
    p.append(ts(ids, "Snapshot latency p50/p95", [
        (f'histogram_quantile(0.5, sum by (le, kind) (rate(agon_transport_snapshot_latency_seconds_bucket{{{CL}}}[$__rate_interval])))',
         "p50 {{kind}}"),
        (f'histogram_quantile(0.95, sum by (le, kind) (rate(agon_transport_snapshot_latency_seconds_bucket{{{CL}}}[$__rate_interval])))',
         "p95 {{kind}}")], grid(12, y, 12, 7), unit="s"))
    y += 7
    p.append(ts(ids, "Back-pressure waits per second", [
        (f'sum by (stream) (rate(agon_transport_backpressure_waits_total{{{CL}}}[$__rate_interval]))',
         "{{stream}}")], grid(0, y, 8, 7),
        description="Offers refused by a slow subscriber, each followed by one idle wait."))
    p.append(ts(ids, "Dropped frames", [
        (f'sum by (stream, reason) (increase(agon_transport_dropped_frames_total{{{CL}}}[$__rate_interval]))',
         "{{stream}} {{reason}}")], grid(8, y, 8, 7),
        description="Frames or incomplete messages dropped: wrong token, CRC, timeouts."))
    p.append(ts(ids, "Send failures", [
        (f'sum by (stream, reason) (increase(agon_transport_send_failures_total{{{CL}}}[$__rate_interval]))',
         "{{stream}} {{reason}}")], grid(16, y, 8, 7),
        description="Sends reported to the coordinator as failed (not connected, closed, timeout)."))

    templ = variables([
        query_var("instance", "Instance", "label_values(agon_run_info, instance)"),
        query_var("run", "Run", 'label_values(agon_run_info{instance=~"$instance"}, run)'),
        {"name": "status_url", "label": "Trainer URL (for the sample image)", "type": "textbox",
         "query": "http://localhost:9464", "current": {"text": "http://localhost:9464",
                                                        "value": "http://localhost:9464"},
         "hide": 0, "skipUrlSync": False},
    ])
    return dashboard("agon-run", "Agon: training run",
                     "One Agon training run: state, losses, quality, throughput, actors, "
                     "checkpoints, memory; the cluster of a run over several JVMs.", p, templ, ["agon", "gan"])


CSEL = 'experiment=~"$experiment", run=~"$run"'


def compare_dashboard():
    ids = Ids()
    p = []
    y = 0
    p.append(row(ids, "Where each run is", y)); y += 1
    table = {
        "id": ids.next(), "type": "table", "title": "Runs of the experiment",
        "description": "Latest values, one row per run.", "datasource": DS,
        "gridPos": grid(0, y, 24, 7),
        "fieldConfig": {"defaults": {"mappings": STATE_MAPPINGS,
                                     "custom": {"align": "auto", "cellOptions": {"type": "auto"}}},
                        "overrides": []},
        "options": {"showHeader": True, "cellHeight": "sm",
                    "footer": {"show": False, "reducer": ["sum"], "countRows": False, "fields": ""}},
        "transformations": [
            {"id": "joinByField", "options": {"byField": "run", "mode": "outer"}},
            {"id": "organize", "options": {"excludeByName": {"Time": True}}}],
        "targets": [
            dict(target(f'max by (run) (agon_training_state{{{CSEL}}})', "state", "A", True), format="table"),
            dict(target(f'max by (run) (agon_optimizer_steps_total{{{CSEL}, network="generator"}})', "G steps", "B", True), format="table"),
            dict(target(f'max by (run) (agon_eval_inception_score{{{CSEL}}})', "IS", "C", True), format="table"),
            dict(target(f'max by (run) (agon_eval_fid{{{CSEL}}})', "FID", "D", True), format="table"),
            dict(target(f'max by (run) (agon_eval_modes_captured{{{CSEL}}})', "modes", "E", True), format="table"),
            dict(target(f'max by (run) (agon_eval_classifier_accuracy{{{CSEL}}})', "D classifier", "F", True), format="table"),
        ],
    }
    p.append(table)
    y += 7
    p.append(row(ids, "Side by side", y)); y += 1
    specs = [
        ("Loss D", f'agon_loss{{{CSEL}, network="discriminator", term="total"}}', None),
        ("Loss G", f'agon_loss{{{CSEL}, network="generator", term="total"}}', None),
        ("G steps/s", f'rate(agon_optimizer_steps_total{{{CSEL}, network="generator"}}[$__rate_interval])', "ops"),
        ("Step duration p95", f'histogram_quantile(0.95, sum by (le, run) (rate(agon_step_duration_seconds_bucket{{{CSEL}}}[$__rate_interval])))', "s"),
        ("Inception Score", f'agon_eval_inception_score{{{CSEL}}}', None),
        ("FID", f'agon_eval_fid{{{CSEL}}}', None),
        ("Modes captured (2-D)", f'agon_eval_modes_captured{{{CSEL}}}', None),
        ("% high quality (2-D)", f'agon_eval_high_quality_ratio{{{CSEL}}}', "percentunit"),
        ("Mean D(G(z))", f'agon_discriminator_output_mean{{{CSEL}, term="fake"}}', None),
        ("Observed staleness (D)", f'agon_staleness_observed{{{CSEL}, network="discriminator"}}', None),
        ("D classifier accuracy (semi-supervised)", f'agon_eval_classifier_accuracy{{{CSEL}}}', "percentunit"),
    ]
    for i, (title, expr, unit) in enumerate(specs):
        p.append(ts(ids, title, [(expr, "{{run}}")], grid(12 * (i % 2), y + 8 * (i // 2), 12, 8),
                    unit=unit))
    templ = variables([
        query_var("experiment", "Experiment", "label_values(agon_run_info, experiment)"),
        query_var("run", "Runs", 'label_values(agon_run_info{experiment=~"$experiment"}, run)',
                  multi=True, include_all=True),
    ])
    return dashboard("agon-compare", "Agon: compare runs",
                     "Runs of one experiment side by side (one series per run).", p, templ,
                     ["agon", "gan"])


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, d in [("agon-run.json", run_dashboard()), ("agon-compare.json", compare_dashboard())]:
        with open(os.path.join(here, name), "w", encoding="utf-8") as f:
            json.dump(d, f, indent=2, ensure_ascii=False)
            f.write("\n")
