package io.finetune4j.tests;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune4j.framework.config.RunConfig.SchedulerType;
import io.finetune4j.framework.config.RunConfig.TrainingArgs;
import io.finetune4j.framework.config.Settings;
import io.finetune4j.framework.train.LearningRateSchedule;
import io.finetune4j.framework.train.Trainer;
import io.finetune4j.framework.model.TrainingData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The learning rate of every optimizer update and the number of updates, against Hugging Face's
 * {@code get_scheduler} lambdas run through PyTorch's {@code LambdaLR} and the Trainer's step counting
 * ({@code hf-golden/schedules.json}).
 */
class HfScheduleTest {

    @Test
    void everyScheduleGivesHuggingFacesRateAtEveryUpdate() {
        JsonNode all = HfGolden.json("schedules.json").get("schedules");
        int checked = 0;
        for (JsonNode s : all) {
            TrainingArgs a = Settings.defaults(TrainingArgs.class);
            a = Settings.with(a, "learning_rate", s.get("base_lr").asDouble());
            a = Settings.with(a, "lr_scheduler_type", Settings.parse(Settings.field(TrainingArgs.class,
                    "lr_scheduler_type"), s.get("lr_scheduler_type").asText()));
            a = Settings.with(a, "warmup_steps", s.get("warmup_steps_arg").asInt());
            a = Settings.with(a, "warmup_ratio", s.get("warmup_ratio_arg").asDouble());
            int total = s.get("num_training_steps").asInt();
            LearningRateSchedule schedule = LearningRateSchedule.of(a, total);
            String what = s.get("lr_scheduler_type").asText() + " T=" + total + " " + s.get("note").asText();
            if (a.lrSchedulerType() != SchedulerType.CONSTANT) {
                assertEquals(s.get("num_warmup_steps").asInt(), schedule.warmupSteps(), what);
            }
            for (int k = 0; k < total; k++) {
                double want = s.get("lr").get(k).asDouble();
                assertEquals(want, schedule.at(k), Math.abs(want) * 1e-15, what + ", update " + k);
                checked++;
            }
        }
        System.out.printf("[hf golden] %d schedules, %d update rates equal%n", all.size(), checked);
    }

    @Test
    void updatesPerEpochCountALastShortAccumulationGroup() {
        for (JsonNode u : HfGolden.json("schedules.json").get("update_steps")) {
            int batches = u.get("len_dataloader").asInt(), gas = u.get("gradient_accumulation_steps").asInt();
            assertEquals(u.get("num_update_steps_per_epoch").asInt(), LearningRateSchedule.updatesPerEpoch(batches, gas),
                    u.toString());
        }
    }

    /** The trainer itself, on the tiny model: the updates it makes and how it groups the batches. */
    @Test
    void theTrainerMakesTheUpdatesHuggingFacesTrainerMakes() {
        for (JsonNode u : HfGolden.json("schedules.json").get("update_steps")) {
            int n = u.get("num_examples").asInt(), batch = u.get("per_device_train_batch_size").asInt();
            if (n > 40 || u.get("max_steps_arg").asInt() > 0 || !u.get("num_train_epochs").isIntegralNumber()) continue;
            int gas = u.get("gradient_accumulation_steps").asInt(), epochs = u.get("num_train_epochs").asInt();
            TrainingArgs a = HfGolden.training(HfGolden.json("ce.json").get("hyperparameters"), batch, epochs);
            a = Settings.with(a, "gradient_accumulation_steps", gas);
            Trainer.Result r = new Trainer(HfGolden.model("tiny-bert"), a, null).fit(repeat(n), null);
            assertEquals(u.get("max_steps").asInt(), r.steps(), u.toString());
        }
    }

    /** {@code n} examples: the golden batch over and over. */
    private static TrainingData repeat(int n) {
        TrainingData b = HfGolden.data("batch8", false, null);
        List<String> t = new ArrayList<>(), p = new ArrayList<>();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            t.add(b.texts().get(i % 8));
            p.add(b.textPairs().get(i % 8));
            y[i] = Trainer.argmax(b.targets()[i % 8]);
        }
        return TrainingData.multiClass(t, p, y, 3, null);
    }
}
