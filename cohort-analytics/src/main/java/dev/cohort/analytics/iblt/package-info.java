/**
 * Invertible Bloom lookup tables (IBLTs) over strings, exactly as TFF builds them
 * (tensorflow_federated/python/analytics/heavy_hitters/iblt/): keys chunked into the prime field 2^31 − 1, cells
 * located with FarmHash Fingerprint64, sketches that add and subtract, and a peeling decoder.
 */
package dev.cohort.analytics.iblt;
