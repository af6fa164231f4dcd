/**
 * The building blocks of learning algorithms, TFF's {@code tff.learning.templates}: the measured processes
 * {@link dev.cohort.learning.templates.DistributionProcess}, {@link dev.cohort.learning.templates.ClientWorkProcess}
 * and {@link dev.cohort.learning.templates.FinalizerProcess} (the aggregator is cohort-aggregators'
 * {@code AggregationProcess}), composed into a {@link dev.cohort.learning.templates.LearningProcess}. Every part is a
 * federated computation with a type signature in TFF's notation, and every local computation a member of a local
 * function family with serializable parameters ({@link dev.cohort.learning.templates.LearningProcess#defineLocalFamilies}).
 * {@link dev.cohort.learning.templates.Communication} adds communication accounting to any learning process.
 */
package dev.cohort.learning.templates;
