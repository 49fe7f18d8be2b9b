package io.finetune4j.framework.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One setting of a run: a component of a record in {@link RunConfig}. Its name is the component's name in
 * snake_case (Hugging Face's name where HF has the setting); everything else about it is written here, once, and
 * {@link Settings} derives from it the YAML keys, the command-line options, the checks, the trial hash, the record
 * in {@code metrics.json} and the README table.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Setting {
    /** One sentence for {@code --help} and the README. */
    String help();

    /** The default as text (parsed like a command-line value); empty = none (null: derived, see the help). */
    String value() default "";

    /** Allowed numbers as an interval: {@code "(0,)"}, {@code "[0,1)"}, {@code "[1,)"}; empty = any. */
    String range() default "";

    /** A regular expression the text of the value must match (for small languages like {@code top:N}). */
    String pattern() default "";

    /** Older or other names, accepted both as YAML keys and as command-line options. */
    String[] aliases() default {};

    /**
     * The command-line names, when they are not {@code --snake-name}: e.g. {@code {"-m", "--model"}}. Aliases are
     * added to them either way.
     */
    String[] cli() default {};

    /** YAML-only names, dotted paths inside the section included ({@code early_stopping.patience}). */
    String[] yaml() default {};

    /** The value's placeholder in {@code --help} ({@code N}, {@code FILE}); empty = from the type. */
    String label() default "";

    /** Whether Hugging Face (TrainingArguments, a model config or the examples' scripts) has a setting of this name. */
    boolean hf() default false;
}
