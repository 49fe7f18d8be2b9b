package io.finetune4j.tests;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.finetune4j.models.pretrained.Backbone;
import io.finetune4j.models.bert.BertInference;
import io.finetune4j.models.pretrained.ModelCatalogue;
import io.finetune4j.models.tokenizer.BatchEncoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our SameDiff graph against ONNX Runtime on the same jar: last hidden states of 24 real sentences of varied
 * length, in padded batches, agree to 1e-4.
 */
class OnnxParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"all-MiniLM-L6-v2", "bge-small-en-v1.5"})
    void hiddenStatesMatchOnnxRuntime(String model) throws Exception {
        Backbone backbone = ModelCatalogue.load(model);
        Path onnx;
        try (Stream<Path> s = Files.walk(ModelCatalogue.cacheDir())) {
            String stem = model.equals("all-MiniLM-L6-v2") ? "all-minilm-l6-v2" : "bge-small-en-v15";
            onnx = s.filter(p -> p.toString().contains(stem) && p.toString().endsWith(".onnx")).findFirst().orElseThrow();
        }
        List<String> texts = TestTexts.varied(24);
        BertInference ours = new BertInference(backbone.config(), backbone.weights());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double worst = 0;
        int tokens = 0;
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            for (int start = 0; start < texts.size(); start += 8) {
                BatchEncoding enc = backbone.tokenizer().encodeBatch(texts.subList(start, start + 8), 128, true);
                INDArray hidden = ours.forward(enc.inputIds(), enc.tokenTypeIds(), enc.attentionMask()).lastHidden();
                Map<String, OnnxTensor> in = new HashMap<>();
                in.put("input_ids", OnnxTensor.createTensor(env, toLong(enc.inputIds())));
                in.put("attention_mask", OnnxTensor.createTensor(env, toLong(enc.attentionMask())));
                if (session.getInputNames().contains("token_type_ids")) {
                    in.put("token_type_ids", OnnxTensor.createTensor(env, toLong(enc.tokenTypeIds())));
                }
                try (OrtSession.Result r = session.run(in)) {
                    float[][][] ref = (float[][][]) r.get(0).getValue();
                    assertEquals(ref.length, hidden.size(0));
                    assertEquals(ref[0].length, hidden.size(1));
                    for (int b = 0; b < ref.length; b++)
                        for (int t = 0; t < ref[b].length; t++) {
                            if (enc.attentionMask()[b][t] == 0) continue;
                            tokens++;
                            for (int h = 0; h < ref[b][t].length; h++) {
                                worst = Math.max(worst, Math.abs(ref[b][t][h] - hidden.getFloat(b, t, h)));
                            }
                        }
                }
                in.values().forEach(OnnxTensor::close);
            }
        }
        System.out.printf("%s: %d sentences, %d tokens, max |diff| vs ONNX Runtime = %.2e%n", model, texts.size(), tokens, worst);
        assertTrue(tokens > 24 * 5, "too few tokens compared: " + tokens);
        assertTrue(worst <= 1e-4, "max |diff| " + worst);
    }

    static long[][] toLong(int[][] a) {
        long[][] out = new long[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = new long[a[i].length];
            for (int j = 0; j < a[i].length; j++) out[i][j] = a[i][j];
        }
        return out;
    }
}
