package dev.agon.web;

import dev.agon.config.Player;
import dev.agon.metrics.LossHistory;
import dev.agon.metrics.TrainingMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The status page: one self-contained HTML document, drawn on the server (the loss curve is inline
 * SVG), no scripts and nothing fetched from elsewhere; it reloads itself every five seconds.
 */
final class StatusPage {
  private StatusPage() {}

  static final int WIDTH = 640;
  static final int HEIGHT = 240;

  static String html(TrainingMetrics m, Path runDir) {
    StringBuilder b = new StringBuilder(16_384);
    String run = esc(m.run());
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"refresh\" content=\"5\">")
        .append("<title>Agon · ")
        .append(run)
        .append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}")
        .append("table{border-collapse:collapse}td,th{padding:2px 12px 2px 0;text-align:left}")
        .append("th{font-weight:normal;color:#666}.row{display:flex;gap:2em;flex-wrap:wrap}")
        .append("svg text{font-size:11px;fill:#444}")
        .append("</style></head><body>\n<h1>")
        .append(run)
        .append("</h1>\n<div class=\"row\"><div><table>");
    long g = m.steps(Player.GENERATOR.label());
    double target = m.iterationsTarget();
    row(b, "experiment", esc(m.experiment()));
    row(b, "state", AgonRoutes.stateName(m.state()));
    TrainingMetrics.Waiting w = m.waiting();
    if (w != null) {
      row(
          b,
          "waiting for",
          "role "
              + esc(String.join(", ", w.roles()))
              + " since "
              + Instant.ofEpochMilli(w.sinceMillis())
              + " (its node was lost; start a node with that role, or agon ctl stop)");
    }
    row(b, "G step", g + (Double.isFinite(target) ? " / " + (long) target : ""));
    row(b, "D step", Long.toString(m.steps(Player.DISCRIMINATOR.label())));
    row(b, "G steps/s", AgonRoutes.fmt(m.generatorStepsPerSecond(), "%.2f"));
    row(b, "loss D", AgonRoutes.fmt(m.loss(Player.DISCRIMINATOR.label()), "%.4f"));
    row(b, "loss G", AgonRoutes.fmt(m.loss(Player.GENERATOR.label()), "%.4f"));
    row(b, "mean D(x)", AgonRoutes.fmt(m.discriminatorReal(), "%.3f"));
    row(b, "mean D(G(z))", AgonRoutes.fmt(m.discriminatorFake(), "%.3f"));
    double last = m.lastStepSeconds(Player.GENERATOR.label());
    row(
        b,
        "last G step",
        Double.isFinite(last) ? Instant.ofEpochMilli((long) (last * 1e3)).toString() : "–");
    for (Map.Entry<String, Double> e : m.evalValues().entrySet()) {
      double v = e.getValue();
      if (Double.isFinite(v)) {
        String value =
            e.getKey().endsWith("_timestamp_seconds")
                ? Instant.ofEpochMilli((long) (v * 1e3)).toString()
                : v == Math.rint(v) && Math.abs(v) < 1e15
                    ? Long.toString((long) v)
                    : AgonRoutes.fmt(v, "%.4g");
        row(b, esc(e.getKey().replaceFirst("^agon_eval_", "eval ")), value);
      }
    }
    b.append("</table></div>\n<div>");
    if (Files.exists(runDir.resolve("samples/latest.png"))) {
      b.append(
          "<img id=\"sample\" src=\"/samples/latest.png\" alt=\"latest sample grid\""
              + " width=\"320\">");
    } else {
      b.append("<p>No sample grid yet.</p>");
    }
    b.append("</div></div>\n<h2>Losses</h2>\n");
    lossCurve(b, m.history().points());
    b.append(
        "\n<p><a href=\"/metrics\">/metrics</a> · <a href=\"/api/status\">/api/status</a>"
            + "</p>\n</body></html>\n");
    return b.toString();
  }

  private static void row(StringBuilder b, String k, String v) {
    b.append("<tr><th>").append(k).append("</th><td>").append(v).append("</td></tr>");
  }

  /** Both losses over G steps, one shared y axis; non-finite points are left out. */
  static void lossCurve(StringBuilder b, List<LossHistory.Point> points) {
    b.append("<svg id=\"loss\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(HEIGHT)
        .append("\"><rect width=\"100%\" height=\"100%\" fill=\"#fafafa\" stroke=\"#ccc\"/>");
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (LossHistory.Point p : points) {
      for (double v : new double[] {p.lossD(), p.lossG()}) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (points.size() < 2 || !(hi >= lo)) {
      b.append("<text x=\"10\" y=\"20\">no losses yet</text></svg>");
      return;
    }
    if (hi == lo) {
      hi = lo + 1;
    }
    long first = points.get(0).step();
    long lastStep = Math.max(first + 1, points.get(points.size() - 1).step());
    int left = 50;
    int right = WIDTH - 10;
    int top = 10;
    int bottom = HEIGHT - 25;
    StringBuilder d = new StringBuilder();
    StringBuilder gen = new StringBuilder();
    for (LossHistory.Point p : points) {
      double x = left + (right - left) * (double) (p.step() - first) / (lastStep - first);
      point(d, x, p.lossD(), lo, hi, top, bottom);
      point(gen, x, p.lossG(), lo, hi, top, bottom);
    }
    b.append(
            String.format(
                java.util.Locale.ROOT,
                "<text x=\"4\" y=\"%d\">%.3g</text><text x=\"4\" y=\"%d\">%.3g</text>"
                    + "<text x=\"%d\" y=\"%d\">step %d</text>"
                    + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">step %d</text>",
                top + 10,
                hi,
                bottom,
                lo,
                left,
                HEIGHT - 8,
                first,
                right,
                HEIGHT - 8,
                lastStep))
        .append("<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" points=\"")
        .append(d)
        .append("\"/><polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"")
        .append(gen)
        .append("\"/><text x=\"")
        .append(right - 150)
        .append("\" y=\"22\" fill=\"#d62728\">loss D</text><text x=\"")
        .append(right - 80)
        .append("\" y=\"22\" fill=\"#1f77b4\">loss G</text></svg>");
  }

  private static void point(
      StringBuilder sb, double x, double v, double lo, double hi, int top, int bottom) {
    if (!Double.isFinite(v)) {
      return;
    }
    double y = bottom - (bottom - top) * (v - lo) / (hi - lo);
    sb.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
