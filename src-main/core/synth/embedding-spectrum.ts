/**
 * The shape of real signature embeddings, measured (bench/embedding-spectrum.ts) on the
 * shipped model signet-synth-v1's embeddings of the 647 genuine signatures of the 44 SigComp
 * 2011 Dutch develop writers (2026-12-05):
 *
 *   node --import tsx bench/embedding-spectrum.ts --data ../shared/data/sigcomp2011-dutch/manifest-develop.csv --model signet-synth-v1
 *
 * Eigenvalues of the covariance, largest first: of all the embeddings (effective dimension
 * 5.3: 73 % of the variance in 5 directions) and of the within-writer deviations (effective
 * dimension 17.0). The root of the within-writer variance over the variance of the writer
 * means is 0.697. A synthetic library drawn with these shapes (embedding-library.ts, kind
 * 'spectrum') has the neighbourhood structure of a trained model's embeddings, which
 * isotropic 128-d noise does not: there every writer is about as far from a query as every
 * other, and no index finds the nearest faster than a scan.
 */
export const MEASURED_SPREAD = 0.697;

/** Covariance eigenvalues of all embeddings (the shape used for writer centres). */
export const ALL_EIGENVALUES: readonly number[] = [
  0.131, 0.0634, 0.0296, 0.0181, 0.0101, 0.00762, 0.00726, 0.00703, 0.00528, 0.00418, 0.00376, 0.00346, 0.00313, 0.00297, 0.00287, 0.00271, 0.00246, 0.00229,
  0.00215, 0.00194, 0.00189, 0.00183, 0.00169, 0.00167, 0.00162, 0.00139, 0.00137, 0.00125, 0.00119, 0.00111, 0.00104, 0.001, 0.000928, 0.000888, 0.000863,
  0.000836, 0.000783, 0.000735, 0.000711, 0.000672, 0.000613, 0.000571, 0.000527, 0.000512, 0.000487, 0.000462, 0.000436, 0.000413, 0.000404, 0.000372,
  0.000358, 0.000331, 0.000318, 0.000294, 0.000287, 0.000258, 0.000253, 0.000237, 0.000225, 0.00022, 0.000208, 0.000198, 0.000189, 0.000178, 0.000171, 0.000169,
  0.000165, 0.000151, 0.000147, 0.000139, 0.000129, 0.000128, 0.000127, 0.000118, 0.000116, 0.000109, 0.000107, 0.000102, 9.44e-5, 9.32e-5, 8.66e-5, 8.47e-5,
  8.14e-5, 7.6e-5, 7.18e-5, 6.95e-5, 6.43e-5, 6.3e-5, 6.08e-5, 5.62e-5, 5.42e-5, 5.36e-5, 4.88e-5, 4.78e-5, 4.36e-5, 4.32e-5, 4.13e-5, 3.87e-5, 3.72e-5,
  3.64e-5, 3.34e-5, 3.28e-5, 3.18e-5, 3.05e-5, 2.97e-5, 2.9e-5, 2.69e-5, 2.55e-5, 2.42e-5, 2.36e-5, 2.27e-5, 2.06e-5, 2.03e-5, 1.99e-5, 1.83e-5, 1.74e-5,
  1.68e-5, 1.55e-5, 1.52e-5, 1.41e-5, 1.32e-5, 1.28e-5, 1.17e-5, 1.1e-5, 9.98e-6, 9.55e-6, 7.81e-6, 7.31e-6,
];

/** Covariance eigenvalues of the within-writer deviations (the shape used for exemplar noise). */
export const WITHIN_EIGENVALUES: readonly number[] = [
  0.0199, 0.0117, 0.0103, 0.00634, 0.00524, 0.00435, 0.00368, 0.00315, 0.00279, 0.00271, 0.00248, 0.00231, 0.00224, 0.00218, 0.00203, 0.00195, 0.00179, 0.00163,
  0.00159, 0.00151, 0.00144, 0.00139, 0.00133, 0.00126, 0.00115, 0.00112, 0.00105, 0.00101, 0.000955, 0.000882, 0.000808, 0.000793, 0.000747, 0.000734,
  0.000713, 0.000671, 0.00064, 0.000618, 0.000577, 0.000519, 0.000501, 0.000464, 0.000426, 0.000419, 0.000394, 0.000376, 0.000343, 0.000334, 0.000326, 0.000312,
  0.000289, 0.000264, 0.000252, 0.000246, 0.000231, 0.000223, 0.000206, 0.000202, 0.000196, 0.000193, 0.000186, 0.000174, 0.000161, 0.000157, 0.000147,
  0.000143, 0.00014, 0.000134, 0.000126, 0.000119, 0.000112, 0.000111, 0.000108, 0.000102, 9.81e-5, 9.46e-5, 9.19e-5, 9.09e-5, 8.62e-5, 8.15e-5, 7.73e-5,
  7.52e-5, 6.77e-5, 6.49e-5, 6.3e-5, 5.98e-5, 5.68e-5, 5.42e-5, 5.31e-5, 4.94e-5, 4.83e-5, 4.69e-5, 4.37e-5, 4.16e-5, 4.12e-5, 3.78e-5, 3.59e-5, 3.53e-5,
  3.42e-5, 3.23e-5, 3.18e-5, 2.92e-5, 2.89e-5, 2.84e-5, 2.77e-5, 2.64e-5, 2.48e-5, 2.33e-5, 2.29e-5, 2.11e-5, 2.04e-5, 1.99e-5, 1.84e-5, 1.7e-5, 1.66e-5,
  1.52e-5, 1.48e-5, 1.45e-5, 1.33e-5, 1.31e-5, 1.22e-5, 1.17e-5, 1.12e-5, 9.98e-6, 9.58e-6, 8.52e-6, 7.38e-6, 6.85e-6,
];
