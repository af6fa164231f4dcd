package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CustomAggregatorsTest {
  @Test
  void printsEveryOutputOfTffsNotebookInOrder() {
    // tff.md §1.11 (custom_aggregators.ipynb), verbatim, in notebook order.
    List<String> tff = List.of(
        "Type signatures of the created aggregation process:",
        "  - initialize: ( -> <>@SERVER)",
        "  - next: (<state=<>@SERVER,value={float32}@CLIENTS> -> <state=<>@SERVER,result=float32@SERVER,"
            + "measurements=<>@SERVER>)",
        "",
        "Aggregation result: 8.0  (expected 8.0)",
        "Type signatures of the created aggregation process:",
        "  - initialize: ( -> float32@SERVER)",
        "  - next: (<state=float32@SERVER,value={float32}@CLIENTS> -> <state=float32@SERVER,result=float32@SERVER,"
            + "measurements=float32@SERVER>)",
        "",
        "| Round #1",
        "|       Aggregation result: 8.0   (expected 8.0)",
        "| Aggregation measurements: 8.0   (expected 8.0 * 1)",
        "",
        "| Round #2",
        "|       Aggregation result: 8.0   (expected 8.0)",
        "| Aggregation measurements: 16.0  (expected 8.0 * 2)",
        "",
        "| Round #3",
        "|       Aggregation result: 8.0   (expected 8.0)",
        "| Aggregation measurements: 24.0  (expected 8.0 * 3)",
        "Type signatures of the created aggregation process:",
        "  - initialize: ( -> float32@SERVER)",
        "  - next: (<state=float32@SERVER,value={<float32[2],float32[3]>}@CLIENTS> -> <state=float32@SERVER,"
            + "result=<float32[2],float32[3]>@SERVER,measurements=<float32[2],float32[3]>@SERVER>)",
        "",
        "Aggregation result: [[2. 3.], [6. 4. 0.]]",
        "          Expected: [[2. 3.], [6. 4. 0.]]",
        "| Round #1",
        "|           Aggregation result: 8.0   (expected 8.0)",
        "| measurements['scaled_value']: 8.0",
        "| measurements['example_task']: ()",
        "",
        "| Round #2",
        "|           Aggregation result: 8.0   (expected 8.0)",
        "| measurements['scaled_value']: 16.0",
        "| measurements['example_task']: ()",
        "| Round #1",
        "|           Aggregation result: 8.0   (expected 8.0)",
        "| measurements['scaled_value']: 8.0",
        "| measurements['example_task']: OrderedDict([('scaled_value', 8.0), ('example_task', ())])",
        "",
        "| Round #2",
        "|           Aggregation result: 8.0   (expected 8.0)",
        "| measurements['scaled_value']: 16.0",
        "| measurements['example_task']: OrderedDict([('scaled_value', 32.0), ('example_task', ())])");
    assertThat(CustomFederatedAlgorithms1Test.outputLines(new CustomAggregators())).containsExactlyElementsOf(tff);
  }
}
