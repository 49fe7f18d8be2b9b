package io.finetune4j.models.bert;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.runtime.NativeFloats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embedding lookup, done outside the SameDiff graph because {@code sd.gather} has no working gradient on
 * M2.1 (docs/dl4j-notes.md §2.1). {@link #lookup} sums word + position (+ token type) rows into the graph's input;
 * {@link #gradients} scatters the gradient of that input back into dense gradients for the three tables.
 */
public final class BertEmbeddings {
    private final INDArray word, position, tokenType;
    private final String wordName, positionName, typeName;
    private INDArray wordGrad;                 // reused gradient of the word table (float32)
    private int[] wordRowsWritten = new int[0];

    public BertEmbeddings(BertConfig config, Map<String, INDArray> weights) {
        BertNames n = BertNames.of(config);
        wordName = n.wordEmbeddings() + ".weight";
        positionName = n.positionEmbeddings() + ".weight";
        typeName = n.tokenTypeEmbeddings() == null ? null : n.tokenTypeEmbeddings() + ".weight";
        word = require(weights, wordName);
        position = require(weights, positionName);
        tokenType = typeName == null ? null : require(weights, typeName);
    }

    private static INDArray require(Map<String, INDArray> w, String name) {
        INDArray a = w.get(name);
        if (a == null) throw new ModelException("missing weight '" + name + "'");
        return a;
    }

    /** Names of the tables, for the optimizer. */
    public String[] tableNames() {
        return typeName == null ? new String[]{wordName, positionName} : new String[]{wordName, positionName, typeName};
    }

    /** [B, T, H]: word rows + position rows 0..T-1 + token-type rows. */
    public INDArray lookup(int[][] inputIds, int[][] tokenTypeIds) {
        int b = inputIds.length, t = inputIds[0].length, h = (int) word.size(1);
        if (t > position.size(0)) {
            throw new ModelException("sequence length " + t + " exceeds the model's " + position.size(0) + " positions");
        }
        int[] flat = flatten(inputIds, (int) word.size(0), "token id");
        INDArray sum = Nd4j.pullRows(word, 1, flat).reshape(b, t, h);
        sum.addi(position.get(NDArrayIndex.interval(0, t), NDArrayIndex.all()).reshape(1, t, h));
        if (tokenType != null) {
            int[] types = tokenTypeIds == null ? new int[b * t] : flatten(tokenTypeIds, (int) tokenType.size(0), "token type");
            INDArray typeRows = Nd4j.pullRows(tokenType, 1, types);
            sum.addi(typeRows.reshape(b, t, h));
            typeRows.close();
        }
        return sum;
    }

    /**
     * Dense gradients of the tables from the gradient of {@link #lookup}'s output ([B, T, H]). The float32 word
     * table's gradient is one array reused by every call (only the rows the previous batch wrote are zeroed
     * again): it is the size of the table, and a fresh one per step cost a 47 MB allocation for MiniLM.
     * It is therefore valid until the next call; the other tables' gradients are new arrays.
     */
    public Map<String, INDArray> gradients(INDArray inputGrad, int[][] inputIds, int[][] tokenTypeIds) {
        int b = inputIds.length, t = inputIds[0].length, h = (int) word.size(1);
        INDArray g = inputGrad.reshape(b, t, h);
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (word.dataType() == DataType.FLOAT) {
            if (wordGrad == null) wordGrad = Nd4j.zeros(word.dataType(), word.shape());
            java.nio.FloatBuffer dst = NativeFloats.view(wordGrad);
            for (int row : wordRowsWritten) for (int k = 0; k < h; k++) dst.put(row * h + k, 0f);
            java.util.BitSet rows = new java.util.BitSet();
            for (int[] seq : inputIds) for (int id : seq) rows.set(id);
            wordRowsWritten = rows.stream().toArray();
            out.put(wordName, scatterInto(wordGrad, g, inputIds));
        } else {
            out.put(wordName, scatter(g, inputIds, word));
        }
        INDArray posGrad = Nd4j.zeros(position.dataType(), position.shape());
        posGrad.get(NDArrayIndex.interval(0, t), NDArrayIndex.all()).assign(g.sum(0));
        out.put(positionName, posGrad);
        if (tokenType != null) {
            int[][] types = tokenTypeIds == null ? new int[b][t] : tokenTypeIds;
            out.put(typeName, scatter(g, types, tokenType));
        }
        return out;
    }

    /** A new gradient array for {@code table}: grad[ids[i][j]] += g[i, j, :] (repeated ids add up). */
    private static INDArray scatter(INDArray g, int[][] ids, INDArray table) {
        if (table.dataType() == DataType.FLOAT) return scatterInto(Nd4j.zeros(table.dataType(), table.shape()), g, ids);
        int h = (int) table.size(1);
        int b = ids.length, t = ids[0].length;
        double[] src = g.dup().data().asDouble();   // double: the small models of the gradient checks
        double[] dst = new double[(int) table.length()];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < t; j++) {
                int row = ids[i][j], from = (i * t + j) * h;
                for (int k = 0; k < h; k++) dst[row * h + k] += src[from + k];
            }
        return Nd4j.create(dst, table.shape(), DataType.DOUBLE).castTo(table.dataType());
    }

    /** out[ids[i][j]] += g[i, j, :] for a float32 {@code out}, through a view of its memory. */
    private static INDArray scatterInto(INDArray out, INDArray g, int[][] ids) {
        int h = (int) out.size(1);
        int b = ids.length, t = ids[0].length;
        INDArray gc = g.isView() || g.dataType() != DataType.FLOAT ? g.castTo(DataType.FLOAT).dup('c') : g;
        java.nio.FloatBuffer src = NativeFloats.view(gc);
        java.nio.FloatBuffer dst = NativeFloats.view(out);
        for (int i = 0; i < b; i++)
            for (int j = 0; j < t; j++) {
                int row = ids[i][j] * h, from = (i * t + j) * h;
                for (int k = 0; k < h; k++) dst.put(row + k, dst.get(row + k) + src.get(from + k));
            }
        if (gc != g) gc.close();
        return out;
    }

    private static int[] flatten(int[][] ids, int limit, String what) {
        int t = ids[0].length;
        int[] flat = new int[ids.length * t];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].length != t) throw new IllegalArgumentException("ragged batch: pad every row to one length");
            for (int j = 0; j < t; j++) {
                int id = ids[i][j];
                if (id < 0 || id >= limit) throw new ModelException(what + " " + id + " is outside 0.." + (limit - 1));
                flat[i * t + j] = id;
            }
        }
        return flat;
    }
}
