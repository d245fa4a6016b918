package dev.agon.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Draws 2-D samples (blue) over the real mixture's modes (red circles of radius 3σ) as a PNG. */
public final class Scatter2d {
  private Scatter2d() {}

  public static void writePng(Path file, float[] xy, double[][] centres, double std, int sizePx)
      throws IOException {
    double extent = 0;
    for (double[] c : centres) {
      extent = Math.max(extent, Math.max(Math.abs(c[0]), Math.abs(c[1])));
    }
    extent = extent * 1.25 + 6 * std + 0.1;
    BufferedImage img = new BufferedImage(sizePx, sizePx, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, sizePx, sizePx);
      double scale = sizePx / (2 * extent);
      g.setColor(new Color(0, 0, 0, 40));
      g.drawLine(0, sizePx / 2, sizePx, sizePx / 2);
      g.drawLine(sizePx / 2, 0, sizePx / 2, sizePx);
      g.setColor(new Color(30, 90, 200, 90));
      for (int i = 0; i + 1 < xy.length; i += 2) {
        double px = (xy[i] + extent) * scale;
        double py = (extent - xy[i + 1]) * scale;
        g.fill(new Ellipse2D.Double(px - 1.5, py - 1.5, 3, 3));
      }
      g.setColor(new Color(200, 30, 30));
      g.setStroke(new BasicStroke(1.5f));
      double r = Math.max(3 * std * scale, 3);
      for (double[] c : centres) {
        double px = (c[0] + extent) * scale;
        double py = (extent - c[1]) * scale;
        g.draw(new Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r));
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(img, "png", file.toFile());
  }
}
