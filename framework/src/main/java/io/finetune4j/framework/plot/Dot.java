package io.finetune4j.framework.plot;

import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import org.knowm.xchart.style.markers.Marker;

/** A round marker of its own size (XChart's markers all take the chart's one marker size). */
final class Dot extends Marker {

    private final double diameter;

    Dot(double diameter) {
        this.diameter = diameter;
    }

    @Override
    public void paint(Graphics2D g, double x, double y, int ignoredSize) {
        g.fill(new Ellipse2D.Double(x - diameter / 2, y - diameter / 2, diameter, diameter));
    }
}
