package io.finetune4j.models.checkpoint;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.checkpoint.Tensors.Dtype;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Weights of a BERT-family ONNX export (PyTorch → ONNX, as in the langchain4j embedding jars), read straight from
 * the protobuf. SameDiff's ONNX importer cannot import these graphs on M2.1; we only need the initializers.
 *
 * <p>Named initializers ({@code embeddings.word_embeddings.weight}, biases, LayerNorms) keep their names. The
 * exporter stores each Linear weight transposed, {@code [in, out]}, under an anonymous name like
 * {@code onnx::MatMul_787}; the MatMul node consuming it carries the module path
 * ({@code /encoder/layer.0/attention/self/query/MatMul}), which gives the Hugging Face name, and we transpose back
 * to PyTorch's {@code [out, in]}. Port of {@code onnx_inspect.py} / {@code export_bert_npy.py from_onnx}.
 */
public final class OnnxWeights {
    /** Parameter names we keep: the backbone and its MLM head, after the bert./distilbert. prefix is stripped. */
    private static final Pattern PARAM = Pattern.compile("^(embeddings|encoder|transformer|pooler|cls)\\..*");
    private static final Set<String> QUANTIZED_OPS = Set.of("MatMulInteger", "DequantizeLinear",
            "DynamicQuantizeLinear", "QLinearMatMul", "QuantizeLinear", "MatMulNBits");

    private OnnxWeights() {
    }

    /** Reads all backbone parameters as float32, Linear weights {@code [out, in]}, names canonical. */
    public static LinkedHashMap<String, INDArray> read(Path onnxFile) {
        Graph g = Graph.parse(onnxFile);
        g.rejectQuantized();
        // Anonymous (or named) MatMul right-hand sides: name them after the consuming node, remember to transpose.
        Map<String, String> matmulName = new HashMap<>();
        for (Node n : g.nodes) {
            if (n.op.equals("MatMul") && n.name.startsWith("/") && n.inputs.size() == 2) {
                Init w = g.inits.get(n.inputs.get(1));
                if (w != null && w.dims.length == 2) {
                    String path = n.name.substring(1).replace('/', '.');
                    String module = path.substring(0, path.lastIndexOf('.'));   // drop the trailing "MatMul"
                    matmulName.put(w.name, Tensors.canonical(module) + ".weight");
                }
            }
        }
        LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
        TreeMap<String, INDArray> linear = new TreeMap<>(new LayerOrder());
        for (Init t : g.inits.values()) {
            String name = matmulName.get(t.name);
            if (name != null) {
                linear.put(name, g.value(t).transpose().dup('c'));   // ONNX [in, out] → PyTorch [out, in]
                continue;
            }
            name = Tensors.canonical(t.name);
            if (!PARAM.matcher(name).matches() || Tensors.isBuffer(name) || !t.dtype().isFloat()) continue;
            out.put(name, g.value(t));
        }
        // Named tensors first in file order, then the dense weights in layer order: a stable, readable order.
        out.putAll(linear);
        if (out.isEmpty()) throw new ModelException(onnxFile + ": no BERT weights found among the initializers");
        return out;
    }

    /**
     * The number of attention heads, read from the graph: the 4-D shape {@code [batch, seq, heads, headDim]} that
     * splits the hidden state into heads. It is either a constant (initializer / Constant node) or a Concat of
     * Unsqueeze'd scalar Constants (PyTorch exports); the candidate whose heads × headDim equals the hidden size wins.
     */
    public static int attentionHeads(Path onnxFile) {
        Graph g = Graph.parse(onnxFile);
        Init word = null;
        for (Init t : g.inits.values()) {
            if (Tensors.canonical(t.name).equals("embeddings.word_embeddings.weight")) word = t;
        }
        if (word == null || word.dims.length != 2) {
            throw new ModelException(onnxFile + ": no embeddings.word_embeddings.weight, cannot find the hidden size");
        }
        long hidden = word.dims[1];
        Map<Long, Integer> votes = new TreeMap<>();
        for (Node n : g.nodes) {
            if (!n.op.equals("Reshape") || n.inputs.size() < 2) continue;
            long[] shape = g.resolveShape(n.inputs.get(1));
            if (shape != null && shape.length == 4 && shape[2] > 0 && shape[2] * shape[3] == hidden) {
                votes.merge(shape[2], 1, Integer::sum);
            }
        }
        if (votes.isEmpty()) {
            throw new ModelException(onnxFile + ": cannot find the attention head count (no Reshape to [b, t, heads, "
                    + "headDim] with heads × headDim = " + hidden + ")");
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey().intValue();
    }

    // ---- the parts of ModelProto we need ----

    private record Node(String op, String name, List<String> inputs, List<String> outputs, Init value) {
    }

    /** An initializer (or a Constant node's tensor): where its data lies, not the data itself. */
    private record Init(String name, long[] dims, int dataType, ByteBuffer raw, ByteBuffer floatData,
                        ByteBuffer int64Data, ByteBuffer int32Data, boolean external) {
        Dtype dtype() {
            return switch (dataType) {
                case 1 -> Dtype.F32;
                case 10 -> Dtype.F16;
                case 11 -> Dtype.F64;
                case 16 -> Dtype.BF16;
                case 7 -> Dtype.I64;
                case 6 -> Dtype.I32;
                default -> null;
            };
        }
    }

    private static final class Graph {
        final Path file;
        final List<Node> nodes = new ArrayList<>();
        final LinkedHashMap<String, Init> inits = new LinkedHashMap<>();
        final Map<String, Node> producer = new HashMap<>();

        private Graph(Path file) {
            this.file = file;
        }

        static Graph parse(Path file) {
            Graph g = new Graph(file);
            ByteBuffer buf;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                // ONNX protobufs are < 2 GB by design (bigger models use external data), so one mapping suffices.
                if (ch.size() > Integer.MAX_VALUE) throw new ModelException(file + ": larger than 2 GB, not a single-file ONNX model");
                buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            } catch (IOException e) {
                throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
            }
            try {
                ByteBuffer graph = null;
                for (Protobuf m = Protobuf.of(buf); m.next(); ) {
                    if (m.field() == 7 && m.wireType() == Protobuf.LEN) graph = m.bytes();   // ModelProto.graph
                }
                if (graph == null) throw new ModelException(file + ": not an ONNX model (no graph)");
                for (Protobuf f = Protobuf.of(graph); f.next(); ) {
                    if (f.wireType() != Protobuf.LEN) continue;
                    if (f.field() == 1) g.nodes.add(node(f.bytes()));                  // GraphProto.node
                    else if (f.field() == 5) {                                          // GraphProto.initializer
                        Init t = tensor(f.bytes());
                        g.inits.put(t.name, t);
                    }
                }
            } catch (IllegalStateException | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
                throw new ModelException(file + ": not a valid ONNX protobuf (" + e.getMessage() + ")", e);
            }
            for (Node n : g.nodes) for (String o : n.outputs) g.producer.put(o, n);
            return g;
        }

        void rejectQuantized() {
            for (Node n : nodes) {
                if (QUANTIZED_OPS.contains(n.op)) {
                    throw new ModelException(file + ": quantized model (" + n.op + " node '" + n.name
                            + "'): int8 weights cannot be fine-tuned, use the fp32 export");
                }
            }
            for (Init t : inits.values()) {
                if (t.dataType == 2 || t.dataType == 3) {   // UINT8, INT8
                    throw new ModelException(file + ": quantized model (int8 initializer '" + t.name
                            + "'): int8 weights cannot be fine-tuned, use the fp32 export");
                }
                if (t.external) {
                    throw new ModelException(file + ": initializer '" + t.name + "' uses external data, not supported");
                }
            }
        }

        INDArray value(Init t) {
            Dtype d = t.dtype();
            if (d == null) throw new ModelException(file + ": initializer '" + t.name + "' has unsupported data type " + t.dataType);
            long numel = Tensors.numel(t.dims);
            ByteBuffer data = t.raw;
            if (data == null && t.floatData != null && d == Dtype.F32) data = t.floatData;   // packed floats
            if (data == null) {
                throw new ModelException(file + ": initializer '" + t.name + "' has no raw_data/float_data");
            }
            if ((long) data.remaining() != numel * d.size) {
                throw new ModelException(file + ": initializer '" + t.name + "' has " + data.remaining()
                        + " bytes, shape " + Tensors.shape(t.dims) + " needs " + numel * d.size);
            }
            return Tensors.toFloat32(data, d, t.dims);
        }

        /** Integer values of a small constant tensor, or null if not a constant. */
        long[] ints(Init t) {
            if (t == null) return null;
            if (t.raw != null && (t.dataType == 7 || t.dataType == 6)) {
                ByteBuffer b = t.raw.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
                long[] v = new long[b.remaining() / (t.dataType == 7 ? 8 : 4)];
                for (int i = 0; i < v.length; i++) v[i] = t.dataType == 7 ? b.getLong() : b.getInt();
                return v;
            }
            ByteBuffer packed = t.int64Data != null ? t.int64Data : t.int32Data;
            if (packed == null) return null;
            return Protobuf.packedVarints(packed).stream().mapToLong(Long::longValue).toArray();
        }

        /** The constant value of a shape tensor, or null if it depends on the input (Shape/Gather of the batch). */
        long[] resolveShape(String name) {
            if (inits.containsKey(name)) return ints(inits.get(name));
            Node p = producer.get(name);
            if (p == null) return null;
            switch (p.op) {
                case "Constant":
                    return ints(p.value);
                case "Unsqueeze":
                    return resolveShape(p.inputs.get(0));
                case "Concat": {
                    // Dynamic dims (batch, seq) become -1: only the heads / headDim slots need to be constant.
                    List<Long> all = new ArrayList<>();
                    for (String in : p.inputs) {
                        long[] v = resolveShape(in);
                        if (v == null) all.add(-1L);
                        else for (long x : v) all.add(x);
                    }
                    return all.stream().mapToLong(Long::longValue).toArray();
                }
                default:
                    return null;
            }
        }
    }

    private static Node node(ByteBuffer b) {
        String op = "", name = "";
        List<String> in = new ArrayList<>(), out = new ArrayList<>();
        Init value = null;
        for (Protobuf f = Protobuf.of(b); f.next(); ) {
            switch (f.field()) {
                case 1 -> in.add(f.string());
                case 2 -> out.add(f.string());
                case 3 -> name = f.string();
                case 4 -> op = f.string();
                case 5 -> {   // AttributeProto: a Constant's tensor is attribute "value", field t = 5
                    for (Protobuf a = Protobuf.of(f.bytes()); a.next(); ) {
                        if (a.field() == 5 && a.wireType() == Protobuf.LEN) value = tensor(a.bytes());
                    }
                }
                default -> {
                }
            }
        }
        return new Node(op, name, in, out, value);
    }

    private static Init tensor(ByteBuffer b) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        ByteBuffer raw = null, floats = null, int64 = null, int32 = null;
        boolean external = false;
        for (Protobuf f = Protobuf.of(b); f.next(); ) {
            switch (f.field()) {
                case 1 -> f.addInts(dims);                                   // dims
                case 2 -> dataType = (int) f.varint();                      // data_type
                case 4 -> floats = f.wireType() == Protobuf.LEN ? f.bytes() : floats;   // float_data (packed)
                case 5 -> int32 = f.wireType() == Protobuf.LEN ? f.bytes() : int32;
                case 7 -> int64 = f.wireType() == Protobuf.LEN ? f.bytes() : int64;
                case 8 -> name = f.string();
                case 9 -> raw = f.bytes();                                  // raw_data, little-endian
                case 13 -> external = true;                                 // external_data
                case 14 -> external |= f.varint() == 1;                     // data_location = EXTERNAL
                default -> {
                }
            }
        }
        return new Init(name, dims.stream().mapToLong(Long::longValue).toArray(), dataType, raw, floats, int64, int32,
                external);
    }

    /** Orders "encoder.layer.10.x" after "encoder.layer.9.x" (numeric, not lexicographic). */
    static final class LayerOrder implements java.util.Comparator<String> {
        private static final Pattern NUM = Pattern.compile("(?<=\\.)(\\d+)(?=\\.)");

        @Override
        public int compare(String a, String b) {
            return key(a).compareTo(key(b));
        }

        private static String key(String s) {
            return NUM.matcher(s).replaceAll(m -> String.format("%06d", Long.parseLong(m.group(1))));
        }
    }
}
