package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.testing.Prerequisites;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkingWithClientDataTest {
  static Path data() {
    for (Path p : List.of(WorkingWithClientData.SHARED, Path.of("..", "..", "shared", "data", "femnist_leaf"))) {
      if (Files.isDirectory(p.resolve("train"))) {
        return p;
      }
    }
    return null;
  }

  @Test
  void printsTffsTypesForTheClientDataThePreprocessingAndTheDatasetComputations() {
    Path data = data();
    Prerequisites.require(data != null, "the FEMNIST LEAF sample in ../shared/data/femnist_leaf",
        "a checkout with ../shared/data beside the repository");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new WorkingWithClientData().run(new PrintStream(bytes, true, StandardCharsets.UTF_8), data);
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    // tff.md §1.13: the element types and the dataset computations' type signatures, as TFF prints them.
    assertThat(lines).containsSubsequence("# len(emnist_train.client_ids)", "73",
        "# emnist_train.element_type_structure", "<label=int32,pixels=float32[28,28]>");
    assertThat(lines).contains("<x=float32[?,784],y=int64[?,1]>",
        "(str -> <label=int32,pixels=float32[28,28]>*)", "(str -> <x=float32[?,784],y=int64[?,1]>*)",
        "[[5, 784], [5, 784], [5, 784], [5, 784], [5, 784]]", "63 10");
    // The first writer's dataset, built by the computation from its id, has the examples its dataset has.
    String sizes = lines.get(lines.indexOf("# selected_client_ids = emnist_train.client_ids[:3]; [len(list(emnist_train"
        + ".create_tf_dataset_for_client(c))) for c in selected_client_ids]") + 1);
    String firstSize = sizes.substring(sizes.indexOf("] [") + 3, sizes.indexOf(',', sizes.indexOf("] [")));
    int at = lines.indexOf("# len(list(dataset_computation(emnist_train.client_ids[0])))");
    assertThat(lines.get(at + 1)).isEqualTo(firstSize);
  }

  @Test
  void aDataDirectoryWithoutTheSplitsSaysWhatItNeeds(@TempDir Path empty) {
    assertThatThrownBy(() -> new WorkingWithClientData().run(new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), empty)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--data " + empty + ": expected train/ and test/ directories of LEAF JSON files (*.json,"
            + " *.json.gz), as LEAF's FEMNIST preprocessing writes them");
  }
}
