package io.finetune4j.cli;

import io.finetune4j.framework.data.DatasetException;
import io.finetune4j.framework.train.TrainingException;
import io.finetune4j.models.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.Properties;

/**
 * The {@code finetune4j} command line. Each subcommand is a small class of its own, registered in
 * {@link #SUBCOMMANDS}.
 *
 * <p>Error policy: a problem the user can fix ({@link ModelException}, {@link DatasetException},
 * {@link IllegalArgumentException}, a missing or unreadable file) prints one line {@code finetune4j: error: ...}
 * on stderr and exits 2; anything else exits 1, also with one line. {@code --stacktrace} (accepted before or
 * after the subcommand) adds the stack trace. Usage errors exit 2 with picocli's message and a hint.
 */
@Command(name = "finetune4j", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class, synopsisSubcommandLabel = "COMMAND", sortOptions = false,
        description = "Fine-tune and compare BERT-family text classifiers on Deeplearning4j / SameDiff.",
        footer = {"", "Run 'finetune4j COMMAND --help' for the options of a command."})
public final class Main {

    static {
        // Before any ND4J / SLF4J class loads: slf4j-simple reads these once, at its first logger.
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // ND4J warns about duplicate TF op mappings at every start: noise to a user, so only its errors show.
        setDefault("org.slf4j.simpleLogger.log.org.nd4j.imports.converters.ImportClassMapping", "error");
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showLogName", "false");
    }

    /** Exit code of a problem the user can fix, and of a usage error. */
    public static final int EXIT_USER_ERROR = 2;
    /** Exit code of any other failure (a bug, an out-of-memory, a native crash reported as an exception). */
    public static final int EXIT_FAILURE = 1;

    /**
     * The subcommands, in the order {@code --help} lists them. To add one (train, predict, run, bench, datasets,
     * report): write a {@code @Command} class in this package (see {@link EncodeCommand}) and list it here.
     */
    public static final List<Class<?>> SUBCOMMANDS = List.of(
            ModelsCommand.class,
            EncodeCommand.class,
            FillMaskCommand.class,
            TrainCommand.class,
            SettingsCommand.class,
            PredictCommand.class,
            RunCommand.class,
            DatasetsCommand.class,
            ReportCommand.class,
            BenchCommand.class,
            ConvertCommand.class,
            AnalyzeCommand.class
    );

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT,
            description = "On error, print the full stack trace (for bug reports).")
    boolean stacktrace;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (never calls System.exit). */
    public static int run(String... args) {
        // Built per call, on the streams of the moment, so tests can capture System.out / System.err.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            if (args.length == 0) {
                cl.usage(err);
                return EXIT_USER_ERROR;
            }
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The configured command tree (also for tests and for generating documentation). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> c : SUBCOMMANDS) {
            CommandLine sub = new CommandLine(c);
            if (c == TrainCommand.class) TrainCommand.addSettingOptions(sub.getCommandSpec());
            cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler(EXECUTION_ERRORS);
        cl.setParameterExceptionHandler(USAGE_ERRORS);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        return cl;
    }

    private static final IExecutionExceptionHandler EXECUTION_ERRORS = (ex, cmd, parseResult) -> {
        PrintWriter err = cmd.getErr();
        Throwable user = userError(ex);
        if (user != null) {
            err.println("finetune4j: error: " + oneLine(message(user)));
        } else {
            err.println("finetune4j: error: " + oneLine(ex.getClass().getName()
                    + (ex.getMessage() == null ? "" : ": " + ex.getMessage()))
                    + (wantsStackTrace(parseResult) ? "" : " (run with --stacktrace for details)"));
        }
        if (wantsStackTrace(parseResult)) ex.printStackTrace(err);
        err.flush();
        return user != null ? EXIT_USER_ERROR : EXIT_FAILURE;
    };

    private static final IParameterExceptionHandler USAGE_ERRORS = (ex, args) -> {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("finetune4j: error: " + oneLine(ex.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    };

    /**
     * The first exception along the cause chain that is the user's to fix (bad input, a missing file or model, a
     * training that diverged), or null. A Spark trial's process uses the same rule for its failed-trial line.
     */
    public static Throwable userError(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ModelException || t instanceof DatasetException || t instanceof TrainingException
                    || t instanceof IllegalArgumentException || t instanceof UncheckedIOException
                    || t instanceof IOException) {
                return t;
            }
        }
        return null;
    }

    /** A message that names the file: Java's file exceptions carry only the path. */
    public static String message(Throwable t) {
        if (t instanceof UncheckedIOException && t.getCause() != null) return message(t.getCause());
        String m = t.getMessage();
        if (t instanceof NoSuchFileException) return m + ": no such file or directory";
        if (t instanceof AccessDeniedException) return m + ": permission denied";
        if (t instanceof NotDirectoryException) return m + ": not a directory";
        if (t instanceof FileAlreadyExistsException) return m + ": already exists";
        if (m == null || m.isBlank()) return t.getClass().getSimpleName();
        return m;
    }

    public static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static boolean wantsStackTrace(ParseResult pr) {
        for (; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("--stacktrace")) return true;
        }
        return false;
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    /** {@code --version}: the jar's Maven version, the ND4J line it is built on and the Java runtime. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = "development build";
            try (InputStream in = Main.class.getResourceAsStream(
                    "/META-INF/maven/io.finetune4j/finetune4j-framework/pom.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    v = p.getProperty("version", v);
                }
            } catch (IOException ignored) {
                // keep "development build"
            }
            return new String[]{
                    "finetune4j " + v,
                    "Deeplearning4j / ND4J / SameDiff 1.0.0-M2.1, Java " + Runtime.version()
                            + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
