package io.finetune4j.models.checkpoint;

import io.finetune4j.models.ModelException;
import io.finetune4j.models.checkpoint.Tensors.Dtype;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A TensorFlow 1 checkpoint in tensor-bundle format, the {@code variables/} folder of a SavedModel:
 * {@code variables.index} is a LevelDB SSTable mapping each variable name to a BundleEntryProto (dtype, shape,
 * shard, offset, size, crc32c), and {@code variables.data-0000s-of-0000n} hold the raw little-endian bytes.
 * Port of {@code tf_ckpt_index.py}; names are mapped to Hugging Face's as {@code export_bert_npy.py from_tf} does.
 */
public final class TfCheckpoint {
    private static final long SSTABLE_MAGIC = 0xdb4775248b80fb57L;
    private static final Pattern LAYER = Pattern.compile("layer_(\\d+)");
    private static final Pattern PARAM = Pattern.compile("^(embeddings|encoder|pooler|cls)\\..*");

    private TfCheckpoint() {
    }

    /** One index entry: a variable's type, shape and where its bytes are. */
    public record Entry(String name, int tfDtype, long[] shape, int shard, long offset, long size, Integer crc32c) {
    }

    /**
     * Reads the float variables of a BERT checkpoint in canonical names, Linear weights {@code [out, in]};
     * optimizer slots, global_step and other non-model variables are skipped. Each tensor's crc32c is checked.
     */
    public static LinkedHashMap<String, INDArray> read(Path variablesDir) {
        Path index = variablesDir.resolve("variables.index");
        List<Entry> entries = entries(index);
        int shards = numShards(index);
        FileChannel[] data = new FileChannel[shards];
        try {
            LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
            for (Entry e : entries) {
                Dtype dtype = dtype(e.tfDtype);
                String name = canonicalName(e.name);
                if (dtype == null || !dtype.isFloat() || name == null) continue;
                if (e.shard < 0 || e.shard >= shards) {
                    throw new ModelException(index + ": variable '" + e.name + "' is in shard " + e.shard + " of " + shards);
                }
                Path shardFile = variablesDir.resolve(String.format("variables.data-%05d-of-%05d", e.shard, shards));
                if (data[e.shard] == null) data[e.shard] = open(shardFile);
                FileChannel ch = data[e.shard];
                long numel = Tensors.numel(e.shape);
                if (numel < 0 || numel * dtype.size != e.size) {
                    throw new ModelException(index + ": variable '" + e.name + "' shape " + Tensors.shape(e.shape)
                            + " does not match its " + e.size + " bytes");
                }
                if (e.offset < 0 || e.offset + e.size > ch.size()) {
                    throw new ModelException(shardFile + ": truncated: variable '" + e.name + "' needs bytes "
                            + e.offset + ".." + (e.offset + e.size) + " but the file has " + ch.size());
                }
                ByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, e.offset, e.size);
                checkCrc(shardFile, e, bytes);
                INDArray a = Tensors.toFloat32(bytes, dtype, e.shape);
                if (e.name.endsWith("/kernel")) a = a.transpose().dup('c');   // TF Dense kernel is [in, out]
                out.put(name, a);
            }
            if (out.isEmpty()) throw new ModelException(index + ": no BERT variables found");
            return out;
        } catch (IOException e) {
            throw new ModelException(variablesDir + ": cannot read checkpoint (" + e.getMessage() + ")", e);
        } finally {
            for (FileChannel c : data) {
                try {
                    if (c != null) c.close();
                } catch (IOException ignored) {
                    // read-only channel; nothing to lose
                }
            }
        }
    }

    /**
     * TF variable name → canonical name, or null for variables that are not model weights. Mirrors
     * {@code from_tf}: strip {@code module/} and {@code bert/}, {@code layer_N} → {@code layer.N}, {@code /} →
     * {@code .}, gamma/beta → weight/bias, kernel → weight, embeddings get {@code .weight}.
     */
    public static String canonicalName(String tf) {
        if (tf.isEmpty() || tf.contains("adam_m") || tf.contains("adam_v") || tf.contains("/Adam")
                || tf.contains("Momentum") || tf.contains("global_step")) {
            return null;
        }
        String n = tf.replace("module/", "");
        if (n.startsWith("bert/")) n = n.substring(5);
        n = LAYER.matcher(n).replaceAll("layer.$1").replace('/', '.');
        n = n.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias");
        if (n.endsWith(".kernel")) {
            n = n.substring(0, n.length() - ".kernel".length()) + ".weight";
        } else if (n.equals("embeddings.word_embeddings") || n.equals("embeddings.position_embeddings")
                || n.equals("embeddings.token_type_embeddings")) {
            n += ".weight";
        } else if (n.equals("cls.predictions.output_bias")) {
            n = "cls.predictions.bias";
        } else if (n.equals("cls.seq_relationship.output_weights")) {
            n = "cls.seq_relationship.weight";   // next-sentence head, already [out, in]
        } else if (n.equals("cls.seq_relationship.output_bias")) {
            n = "cls.seq_relationship.bias";
        }
        return PARAM.matcher(n).matches() ? n : null;
    }

    /** All entries of the index, in key order, without the header entry. */
    public static List<Entry> entries(Path index) {
        List<Entry> out = new ArrayList<>();
        for (var kv : SSTable.read(index)) {
            if (kv.key().isEmpty()) continue;   // the BundleHeaderProto
            try {
                out.add(entry(kv.key(), kv.value()));
            } catch (IllegalStateException ex) {
                throw new ModelException(index + ": bad entry for '" + kv.key() + "' (" + ex.getMessage() + ")");
            }
        }
        return out;
    }

    private static int numShards(Path index) {
        for (var kv : SSTable.read(index)) {
            if (!kv.key().isEmpty()) continue;
            int shards = 1;
            for (Protobuf f = Protobuf.of(kv.value()); f.next(); ) {
                if (f.field() == 1 && f.wireType() == Protobuf.VARINT) shards = (int) f.varint();   // num_shards
                if (f.field() == 2 && f.wireType() == Protobuf.VARINT && f.varint() != 0) {          // endianness
                    throw new ModelException(index + ": big-endian checkpoint, not supported");
                }
            }
            return Math.max(shards, 1);
        }
        return 1;
    }

    private static Entry entry(String key, ByteBuffer v) {
        int dtype = 0, shard = 0;
        long offset = 0, size = 0;
        Integer crc = null;
        List<Long> shape = new ArrayList<>();
        for (Protobuf f = Protobuf.of(v); f.next(); ) {
            switch (f.field()) {
                case 1 -> dtype = (int) f.varint();
                case 2 -> {   // TensorShapeProto { repeated Dim dim = 2 { int64 size = 1 } }
                    for (Protobuf s = Protobuf.of(f.bytes()); s.next(); ) {
                        if (s.field() != 2) continue;
                        long d = 0;
                        for (Protobuf dim = Protobuf.of(s.bytes()); dim.next(); ) if (dim.field() == 1) d = dim.varint();
                        shape.add(d);
                    }
                }
                case 3 -> shard = (int) f.varint();
                case 4 -> offset = f.varint();
                case 5 -> size = f.varint();
                case 6 -> crc = (int) f.varint();   // fixed32, masked crc32c
                case 7 -> throw new IllegalStateException("partitioned (sliced) variables are not supported");
                default -> {
                }
            }
        }
        return new Entry(key, dtype, shape.stream().mapToLong(Long::longValue).toArray(), shard, offset, size, crc);
    }

    private static Dtype dtype(int tf) {
        return switch (tf) {
            case 1 -> Dtype.F32;
            case 2 -> Dtype.F64;
            case 3 -> Dtype.I32;
            case 9 -> Dtype.I64;
            case 14 -> Dtype.BF16;
            case 19 -> Dtype.F16;
            default -> null;   // strings, bools, resources: never weights
        };
    }

    /** TF stores a "masked" crc32c; hardware CRC32C makes checking 400 MB cost well under a second. */
    private static void checkCrc(Path file, Entry e, ByteBuffer bytes) {
        if (e.crc32c == null) return;
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        int c = (int) crc.getValue();
        int masked = ((c >>> 15) | (c << 17)) + 0xa282ead8;
        if (masked != e.crc32c) {
            throw new ModelException(file + ": checksum mismatch for variable '" + e.name + "' (corrupt file?)");
        }
    }

    private static FileChannel open(Path f) {
        try {
            return FileChannel.open(f, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelException(f + ": cannot open checkpoint data (" + e.getMessage() + ")", e);
        }
    }

    /** The LevelDB table format, uncompressed blocks only (what TF's bundle writer produces). */
    static final class SSTable {
        record KV(String key, ByteBuffer value) {
        }

        static List<KV> read(Path file) {
            byte[] all;
            try {
                all = Files.readAllBytes(file);   // the index is small: one entry per variable
            } catch (IOException e) {
                throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
            }
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            try {
                if (all.length < 48 || b.getLong(all.length - 8) != SSTABLE_MAGIC) {
                    throw new ModelException(file + ": not a TF checkpoint index (no SSTable footer)");
                }
                ByteBuffer footer = b.slice(all.length - 48, 40);
                Protobuf.readVarint(footer);   // metaindex handle: unused
                Protobuf.readVarint(footer);
                long indexOff = Protobuf.readVarint(footer), indexSize = Protobuf.readVarint(footer);
                List<KV> out = new ArrayList<>();
                for (KV handle : block(file, b, indexOff, indexSize)) {
                    ByteBuffer h = handle.value().duplicate();
                    long off = Protobuf.readVarint(h), size = Protobuf.readVarint(h);
                    out.addAll(block(file, b, off, size));
                }
                return out;
            } catch (IllegalStateException | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
                throw new ModelException(file + ": corrupt checkpoint index (" + e.getMessage() + ")", e);
            }
        }

        /** Entries of one block: prefix-compressed keys (shared, unshared, value length), restarts at the end. */
        private static List<KV> block(Path file, ByteBuffer b, long off, long size) {
            if (off < 0 || size < 4 || off + size + 5 > b.capacity()) {
                throw new ModelException(file + ": block at " + off + " (+" + size + ") is outside the file");
            }
            if (b.get((int) (off + size)) != 0) {
                throw new ModelException(file + ": compressed SSTable block (type " + b.get((int) (off + size))
                        + "), not supported");
            }
            ByteBuffer d = b.slice((int) off, (int) size).order(ByteOrder.LITTLE_ENDIAN);
            int restarts = d.getInt((int) size - 4);
            int end = (int) size - 4 - 4 * restarts;
            d.limit(end);
            List<KV> out = new ArrayList<>();
            byte[] key = new byte[0];
            while (d.hasRemaining()) {
                int shared = (int) Protobuf.readVarint(d), unshared = (int) Protobuf.readVarint(d);
                int vlen = (int) Protobuf.readVarint(d);
                byte[] k = new byte[shared + unshared];
                System.arraycopy(key, 0, k, 0, shared);
                d.get(k, shared, unshared);
                key = k;
                ByteBuffer value = d.slice(d.position(), vlen);
                d.position(d.position() + vlen);
                out.add(new KV(new String(k, java.nio.charset.StandardCharsets.UTF_8), value));
            }
            return out;
        }
    }
}
