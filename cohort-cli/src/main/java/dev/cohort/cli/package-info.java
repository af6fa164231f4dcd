/**
 * The {@code cohort} command line ({@link dev.cohort.cli.Cohort}): thin picocli commands that build the same objects
 * a library user would. Errors name the flag, the value and what was expected.
 *
 * <p>Contents: one file per command ({@code InfoCommand}, {@code TutorialCommand}, {@code PrivacyCommand} and its
 * {@code EpsilonCommand} and {@code CalibrateCommand}, {@code AnalyticsCommand} and its {@code HeavyHittersCommand},
 * {@code HistogramCommand} and {@code DistinctCommand} over {@code CsvColumn}, {@code TrainCommand} with its run:
 * {@code TrainConfig}, {@code TrainData}, {@code Training}, {@code Progress} and {@code RunDirectory}), and what every
 * command shares: {@code Flags} (usage errors, choices, flags that do not apply, library parameter names → flags),
 * {@code Json} ({@code --json} output), {@code Output} (rows and warnings), and {@code dev.cohort.privacy.Numbers} for
 * numbers. Exit status 2 is a usage error, 1 an unreadable or unwritable file or an internal error (a bug;
 * {@code --verbose} prints its stack trace).
 */
package dev.cohort.cli;
