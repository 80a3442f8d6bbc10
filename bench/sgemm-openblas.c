/* bench/sgemm-openblas.c -- OpenBLAS cblas_sgemm throughput on the shapes of
 * bench/sgemm.R, for comparison with statlearn's sgemm. See
 * bench/README-sgemm.md. Thread count comes from OPENBLAS_NUM_THREADS. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

struct shape { int m, n, k, ta, tb; const char* label; };

int main(void) {
  const struct shape shapes[] = {
    {512, 512, 512, 0, 0, "square 512"},
    {1024, 1024, 1024, 0, 0, "square 1024"},
    {2048, 2048, 2048, 0, 0, "square 2048"},
    {256, 32, 256, 0, 0, "batch 256 x 256 -> 32"},
    {7291, 32, 256, 0, 0, "7291 x 256 -> 32"},
    {256, 32, 7291, 1, 0, "grad W: X' dY (k = 7291)"},
    {7291, 256, 32, 0, 1, "grad X: dY W' (k = 32)"},
  };
  const int nshape = sizeof shapes / sizeof shapes[0];
  const char* env = getenv("OPENBLAS_NUM_THREADS");
  printf("shape,m,n,k,trans_a,trans_b,threads,gflops\n");
  for (int s = 0; s < nshape; ++s) {
    const struct shape sh = shapes[s];
    const size_t na = (size_t)sh.m * sh.k, nb = (size_t)sh.k * sh.n, nc = (size_t)sh.m * sh.n;
    float *A = malloc(na * sizeof(float)), *B = malloc(nb * sizeof(float)),
          *C = malloc(nc * sizeof(float));
    srand(1);
    for (size_t i = 0; i < na; ++i) A[i] = (float)rand() / RAND_MAX - 0.5f;
    for (size_t i = 0; i < nb; ++i) B[i] = (float)rand() / RAND_MAX - 0.5f;
    for (size_t i = 0; i < nc; ++i) C[i] = 0.0f;
    const int lda = sh.ta ? sh.k : sh.m, ldb = sh.tb ? sh.n : sh.k;
    const double flops = 2.0 * sh.m * sh.n * sh.k;
    int reps = (int)(3e9 / flops);
    if (reps < 3) reps = 3;
    /* warm-up, then the best of 3 timed batches */
    cblas_sgemm(CblasColMajor, sh.ta ? CblasTrans : CblasNoTrans,
                sh.tb ? CblasTrans : CblasNoTrans, sh.m, sh.n, sh.k, 1.0f, A, lda, B, ldb,
                0.0f, C, sh.m);
    double best = 1e30;
    for (int b = 0; b < 3; ++b) {
      const double t0 = now();
      for (int r = 0; r < reps; ++r)
        cblas_sgemm(CblasColMajor, sh.ta ? CblasTrans : CblasNoTrans,
                    sh.tb ? CblasTrans : CblasNoTrans, sh.m, sh.n, sh.k, 1.0f, A, lda, B, ldb,
                    0.0f, C, sh.m);
      const double t = (now() - t0) / reps;
      if (t < best) best = t;
    }
    printf("%s,%d,%d,%d,%d,%d,%s,%.1f\n", sh.label, sh.m, sh.n, sh.k, sh.ta, sh.tb,
           env ? env : "default", flops / best / 1e9);
    free(A); free(B); free(C);
  }
  return 0;
}
