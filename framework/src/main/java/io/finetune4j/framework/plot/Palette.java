package io.finetune4j.framework.plot;

import java.awt.Color;

/** Series colours: Tableau-10, readable on white and distinguishable for most colour-blind readers. */
public final class Palette {

    static final Color[] COLOURS = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};

    private Palette() {
    }

    /** The {@code i}-th colour, cycling after ten. */
    public static Color colour(int i) {
        return COLOURS[Math.floorMod(i, COLOURS.length)];
    }

    /** The same colour with an alpha (0 transparent .. 255 opaque). */
    static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }
}
