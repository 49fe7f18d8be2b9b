package io.finetune4j.framework.finetune;

import io.finetune4j.framework.config.RunConfig.Progress;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.framework.train.TrainingListener;

import java.io.PrintWriter;

/**
 * Training progress for the command line: on a terminal one line redrawn with {@code \r} (epoch, batch i/n, a bar,
 * loss, samples/s, tokens/s, ETA); otherwise a plain log line every {@value #LOG_EVERY} batches and at the end of
 * each epoch.
 */
public final class ProgressListener implements TrainingListener {
    static final int LOG_EVERY = 10;
    private static final int BAR = 24;

    private final PrintWriter out;
    private final boolean redraw;
    private int lastWidth;

    public ProgressListener(PrintWriter out, boolean redraw) {
        this.out = out;
        this.redraw = redraw;
    }

    /** {@code auto}: redraw on a terminal ({@code System.console() != null}), else log lines; {@code none}: silent. */
    public static TrainingListener create(Progress mode, PrintWriter out) {
        return switch (mode) {
            case NONE -> TrainingListener.NONE;
            case BAR -> new ProgressListener(out, true);
            case LOG -> new ProgressListener(out, false);
            case AUTO -> new ProgressListener(out, System.console() != null);
        };
    }

    @Override
    public void onStep(int epoch, int batch, int batches, double loss, double learningRate, double samplesPerSecond,
                       double tokensPerSecond, double etaSeconds) {
        if (redraw) {
            int filled = (int) Math.round((double) BAR * batch / batches);
            String line = String.format("epoch %d  %d/%d [%s%s] loss %.4f  %.1f samples/s  %.0f tokens/s  ETA %s",
                    epoch, batch, batches, "=".repeat(filled), " ".repeat(BAR - filled), loss, samplesPerSecond,
                    tokensPerSecond, time(etaSeconds));
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
            out.flush();
        } else if (batch % LOG_EVERY == 0 || batch == batches) {
            out.printf("finetune4j: epoch %d batch %d/%d loss %.4f lr %.2e %.1f samples/s %.0f tokens/s ETA %s%n",
                    epoch, batch, batches, loss, learningRate, samplesPerSecond, tokensPerSecond, time(etaSeconds));
            out.flush();
        }
    }

    @Override
    public void onEpochEnd(Trainer.EpochResult r) {
        if (redraw) {
            out.println();
            lastWidth = 0;
        }
        StringBuilder sb = new StringBuilder(String.format("finetune4j: epoch %d done in %s: train loss %.4f",
                r.epoch(), time(r.seconds()), r.trainLoss()));
        if (Double.isFinite(r.validationLoss())) {
            sb.append(String.format(", val loss %.4f, val accuracy %.4f, val macro F1 %.4f", r.validationLoss(),
                    r.validationAccuracy(), r.validationMacroF1()));
        }
        sb.append(String.format(" (%.1f samples/s, %.0f tokens/s)", r.samplesPerSecond(), r.tokensPerSecond()));
        out.println(sb);
        out.flush();
    }

    static String time(double s) {
        if (!Double.isFinite(s) || s < 0) return "?";
        long t = Math.round(s);
        return t >= 3600 ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format("%d:%02d", t / 60, t % 60);
    }
}
