package io.finetune4j.framework.analysis;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TwoStageTest {
    static final List<String> L = List.of("a", "b", "c");
    // rows: true a, b, c; columns: predicted
    static final long[][] C = {{50, 10, 0}, {2, 20, 5}, {0, 6, 5}};

    @Test
    void mostConfusedPairRawAndNormalised() {
        assertEquals(new TwoStage.Pair("a", "b"), TwoStage.mostConfused(C, L, false));   // 10+2 = 12 > 5+6 = 11
        // 10/60 + 2/27 = 0.24 < 5/27 + 6/11 = 0.73
        assertEquals(new TwoStage.Pair("b", "c"), TwoStage.mostConfused(C, L, true));
        assertEquals("b+c", TwoStage.mostConfused(C, L, true).merged());
        assertThrows(IllegalArgumentException.class, () -> TwoStage.mostConfused(new long[][]{{1}}, List.of("x"), false));
    }

    @Test
    void stageTwoSeesOnlyWhatStageOneRoutedAndItsLabelsReplaceTheMergedOnes() {
        TwoStage.Pair p = new TwoStage.Pair("b", "c");
        assertEquals("b+c", TwoStage.merge("c", p));
        assertEquals("a", TwoStage.merge("a", p));
        String[] stage1 = {"a", "b+c", "d", "b+c", "a"};
        List<int[]> seen = new ArrayList<>();
        String[] combined = TwoStage.combine(stage1, p.merged(), idx -> {
            seen.add(idx);
            return new String[]{"c", "b"};
        });
        assertEquals(1, seen.size());
        assertArrayEquals(new int[]{1, 3}, seen.get(0));
        assertArrayEquals(new String[]{"a", "c", "d", "b", "a"}, combined);
        assertArrayEquals(new String[]{"a", "b+c", "d", "b+c", "a"}, stage1, "stage 1's array is not modified");

        String[] none = TwoStage.combine(new String[]{"a", "d"}, p.merged(), idx -> {
            throw new AssertionError("stage 2 called with nothing routed");
        });
        assertArrayEquals(new String[]{"a", "d"}, none);
        assertThrows(IllegalStateException.class, () -> TwoStage.combine(stage1, "b+c", idx -> new String[]{"b"}));
    }
}
