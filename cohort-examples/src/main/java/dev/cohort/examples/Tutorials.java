package dev.cohort.examples;

import java.util.List;
import java.util.stream.Collectors;

/** The tutorials that {@code cohort tutorial <name>} can run. */
public final class Tutorials {
  private static final List<Tutorial> ALL = List.of(new ImageClassification(),
      new BuildingYourOwnAlgorithm(), new ComposingLearningAlgorithms(), new CustomAlgorithmWithOptimizers(),
      new CustomFederatedAlgorithms1(), new CustomFederatedAlgorithms2(), new WorkingWithClientData(),
      new PrivateHeavyHitters(), new CustomAggregators(), new TuningRecommendedAggregators());

  private Tutorials() {}

  /** Every tutorial, in the order TFF's documentation lists them. */
  public static List<Tutorial> all() {
    return ALL;
  }

  /**
   * The tutorial called {@code name}.
   *
   * @throws IllegalArgumentException listing the available names if there is none
   */
  public static Tutorial find(String name) {
    for (Tutorial t : ALL) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown tutorial '" + name + "'; available: "
        + ALL.stream().map(Tutorial::name).collect(Collectors.joining(", ")));
  }
}
