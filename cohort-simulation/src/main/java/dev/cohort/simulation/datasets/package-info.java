/**
 * Loaders that turn the files federated research uses into {@link dev.cohort.simulation.ClientData}, streaming:
 * loading indexes a file in one pass and checks it; a client's examples are read when its dataset is iterated.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.simulation.datasets.Idx}: IDX (MNIST, Fashion-MNIST), gzip or plain, strictly checked.
 *   <li>{@link dev.cohort.simulation.datasets.LeafJson}: LEAF JSON ({@code users}, {@code num_samples},
 *       {@code user_data}), plain or gzip, several files merged; FEMNIST through
 *       {@link dev.cohort.simulation.datasets.LeafFeatures#FEMNIST}.
 *   <li>{@link dev.cohort.simulation.datasets.SpeakerText}: plain text by speaker (tiny shakespeare), each speaker
 *       a client and each turn a {@code <snippets=str>} example.
 *   <li>{@link dev.cohort.simulation.datasets.RatingsCsv}: a ratings CSV (user, item, rating), each user a client,
 *       split per user into train and test ratings.
 *   <li>{@link dev.cohort.simulation.datasets.StackExchangePosts}: a Stack Exchange {@code Posts.xml}, each user a
 *       client, with TFF's StackOverflow features.
 *   <li>{@link dev.cohort.simulation.datasets.TffSqlite}: TFF's SQLite ClientData ({@code tf.train.Example} rows),
 *       read as an {@link dev.cohort.simulation.datasets.ExampleSpec} says.
 *   <li>{@link dev.cohort.simulation.datasets.DatasetFormatException}: bad input, naming the file, the position,
 *       the client and the problem.
 * </ul>
 */
package dev.cohort.simulation.datasets;
