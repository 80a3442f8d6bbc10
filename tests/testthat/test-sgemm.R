# Single-precision GEMM of the neural-network engine (statlearn/common/sgemm.h).
# Reference: %*% in double precision; float32 inputs and accumulation give a
# relative error of order k * 6e-8, so 1e-5 relative to the norm is ample for
# the shapes here. beta = 0 with NaN in C is tested in src/test-sgemm.cpp.

sgemm_ref <- function(a, b, trans_a, trans_b, alpha = 1) {
  a <- if (trans_a) t(a) else a
  b <- if (trans_b) t(b) else b
  alpha * (a %*% b)
}

rel_err <- function(x, y) {
  if (length(x) == 0) return(0)
  max(abs(x - y)) / max(1, max(abs(y)))
}

random_matrix <- function(n, p) matrix(runif(n * p, -1, 1), n, p)

test_that("sgemm matches %*% on odd shapes for all transposes", {
  set.seed(1)
  shapes <- list(c(1, 1, 1), c(7, 5, 3), c(33, 17, 65), c(100, 13, 1), c(1, 70, 40),
                 c(65, 9, 257), c(31, 64, 8), c(300, 6, 31))
  for (s in shapes) {
    m <- s[1]; n <- s[2]; k <- s[3]
    for (ta in c(FALSE, TRUE)) for (tb in c(FALSE, TRUE)) {
      a <- if (ta) random_matrix(k, m) else random_matrix(m, k)
      b <- if (tb) random_matrix(n, k) else random_matrix(k, n)
      got <- statlearn:::cpp_sgemm(a, b, ta, tb, 1.5, 2L)
      expect_equal(dim(got), c(m, n))
      expect_lt(rel_err(got, sgemm_ref(a, b, ta, tb, 1.5)), 1e-5,
                label = sprintf("m=%d n=%d k=%d trans_a=%s trans_b=%s", m, n, k, ta, tb))
    }
  }
})

test_that("sgemm handles empty dimensions", {
  expect_equal(statlearn:::cpp_sgemm(matrix(0, 3, 0), matrix(0, 0, 4), FALSE, FALSE, 1, 1L),
               matrix(0, 3, 4))
  expect_equal(dim(statlearn:::cpp_sgemm(matrix(0, 0, 5), matrix(1, 5, 2), FALSE, FALSE, 1, 1L)),
               c(0L, 2L))
  expect_equal(dim(statlearn:::cpp_sgemm(matrix(1, 3, 5), matrix(1, 5, 0), FALSE, FALSE, 1, 1L)),
               c(3L, 0L))
})

test_that("sgemm gives identical bits for 1 and 2 threads", {
  set.seed(2)
  a <- random_matrix(513, 300)
  b <- random_matrix(300, 77)
  for (ta in c(FALSE, TRUE)) {
    aa <- if (ta) t(a) else a
    one <- statlearn:::cpp_sgemm(aa, b, ta, FALSE, 1, 1L)
    two <- statlearn:::cpp_sgemm(aa, b, ta, FALSE, 1, 2L)
    expect_identical(one, two, info = sprintf("trans_a = %s", ta))
  }
})

test_that("sgemm is accurate on the network's training shapes", {
  set.seed(3)
  x <- random_matrix(256, 256)
  w <- random_matrix(256, 32)
  expect_lt(rel_err(statlearn:::cpp_sgemm(x, w, FALSE, FALSE, 1, 2L), x %*% w), 1e-5,
            label = "forward 256 x 256 -> 32")
  dy <- random_matrix(256, 32)
  expect_lt(rel_err(statlearn:::cpp_sgemm(x, dy, TRUE, FALSE, 1, 2L), crossprod(x, dy)), 1e-5,
            label = "weight gradient x' dy")
  expect_lt(rel_err(statlearn:::cpp_sgemm(dy, w, FALSE, TRUE, 1, 2L), tcrossprod(dy, w)), 1e-5,
            label = "input gradient dy w'")
})

test_that("sgemm is accurate and deterministic on large shapes", {
  skip_if_not(identical(Sys.getenv("STATLEARN_TEST_LEVEL"), "full"))
  set.seed(4)
  for (s in list(c(1024, 1024, 1024), c(7291, 32, 256), c(256, 32, 7291), c(1000, 999, 1001))) {
    m <- s[1]; n <- s[2]; k <- s[3]
    for (ta in c(FALSE, TRUE)) for (tb in c(FALSE, TRUE)) {
      a <- if (ta) random_matrix(k, m) else random_matrix(m, k)
      b <- if (tb) random_matrix(n, k) else random_matrix(k, n)
      one <- statlearn:::cpp_sgemm(a, b, ta, tb, 1, 1L)
      two <- statlearn:::cpp_sgemm(a, b, ta, tb, 1, 2L)
      lab <- sprintf("m=%d n=%d k=%d trans_a=%s trans_b=%s", m, n, k, ta, tb)
      expect_identical(one, two, info = lab)
      expect_lt(rel_err(one, sgemm_ref(a, b, ta, tb)), 1e-5 * sqrt(k / 256), label = lab)
    }
  }
})
