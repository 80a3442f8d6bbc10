# The bootstrap (ESL 8.2): against boot::boot on the same samples, explicit
# refit loops, the normal theory of the mean, and the replicate runner's
# guarantees.

test_that("bootstrap() equals boot::boot on the same samples (vector and data frame statistics)", {
  skip_if_not_installed("boot")
  set.seed(81)
  x <- rexp(40)
  ref <- boot::boot(x, function(d, i) c(mean = mean(d[i]), median = median(d[i])), R = 60)
  idx <- boot::boot.array(ref, indices = TRUE)
  ours <- bootstrap(x, function(d) c(mean = mean(d), median = median(d)),
                    samples = lapply(seq_len(nrow(idx)), function(b) idx[b, ]))
  expect_equal(ours$t, unname(ref$t), ignore_attr = TRUE, tolerance = 1e-15)
  expect_identical(colnames(ours$t), c("mean", "median"))
  expect_equal(unname(ours$t0), unname(ref$t0))
  expect_equal(unname(ours$bias), unname(colMeans(ref$t) - ref$t0), tolerance = 1e-14)
  expect_equal(unname(ours$se), apply(ref$t, 2, sd), tolerance = 1e-14)
  # rows of a data frame
  d <- data.frame(a = rnorm(30), b = rnorm(30))
  ref2 <- boot::boot(d, function(dd, i) cor(dd$a[i], dd$b[i]), R = 40)
  idx2 <- boot::boot.array(ref2, indices = TRUE)
  ours2 <- bootstrap(d, function(dd) cor(dd$a, dd$b), samples = lapply(1:40, function(b) idx2[b, ]))
  expect_equal(drop(ours2$t), drop(ref2$t), tolerance = 1e-14)
})

test_that("confint() percentile, normal and basic intervals by hand", {
  set.seed(82)
  b <- bootstrap(rnorm(50, 3), function(d) c(m = mean(d), s = sd(d)), B = 300)
  q <- apply(b$t, 2, quantile, probs = c(0.05, 0.95), names = FALSE)
  expect_equal(unname(confint(b, level = 0.9)), unname(t(q)), tolerance = 1e-14)
  expect_equal(unname(confint(b, "s", type = "normal")[1, ]),
               unname(b$t0["s"] - b$bias["s"] + c(-1, 1) * qnorm(0.975) * b$se["s"]), tolerance = 1e-14)
  qb <- quantile(b$t[, 1], c(0.975, 0.025), names = FALSE)
  expect_equal(unname(confint(b, 1, type = "basic")[1, ]), 2 * unname(b$t0[1]) - qb, tolerance = 1e-14)
  expect_identical(rownames(confint(b)), c("m", "s"))
})

test_that("bootstrap(fit) refits the model on resampled rows, as a loop of lm() does", {
  fit <- linear_regression(lpsa ~ lcavol + lweight + age, data = prostate)
  set.seed(83)
  b <- bootstrap(fit, coef, B = 25)
  hand <- t(vapply(b$plan$train, function(i) coef(lm(lpsa ~ lcavol + lweight + age, data = prostate[i, ])),
                   numeric(4)))
  expect_equal(unname(b$t), unname(hand), tolerance = 1e-10)
  expect_equal(b$t0, coef(fit))
  expect_identical(b$method, "linear_regression")
  # a curve and its bootstrap band (ESL Figure 8.2 style): predict() on a grid
  grid <- data.frame(lcavol = seq(-1, 3, length.out = 5), lweight = 3.6, age = 64)
  band <- bootstrap(fit, function(m) predict(m, grid), B = 20)
  expect_identical(dim(band$t), c(20L, 5L))
})

test_that("the parametric bootstrap of a normal mean has the textbook standard error", {
  set.seed(84)
  y <- rnorm(25, 10, 2)
  b <- bootstrap(y, mean, B = 4000, simulate = function(d) rnorm(length(d), mean(d), 2))
  expect_identical(b$type, "parametric")
  expect_null(b$plan)
  expect_equal(unname(b$se), 2 / 5, tolerance = 0.05)   # sigma / sqrt(n); MC error about 1%
  expect_equal(unname(b$bias), 0, tolerance = 0.03)      # in units of the data: |bias| < 0.03
})

test_that("set.seed() reproduces the bootstrap, also under a multisession plan", {
  set.seed(85)
  a <- bootstrap(rexp(30), function(d) quantile(d, 0.9), B = 40)
  set.seed(85)
  b <- bootstrap(rexp(30), function(d) quantile(d, 0.9), B = 40)
  expect_identical(a$t, b$t)
  local_future_plans()
  set.seed(86)
  x <- rexp(30)
  seq_run <- bootstrap(x, median, B = 30, simulate = function(d) sample(d, replace = TRUE))
  future::plan(future::multisession, workers = 2)
  set.seed(86)
  x2 <- rexp(30)
  par_run <- bootstrap(x2, median, B = 30, simulate = function(d) sample(d, replace = TRUE))
  expect_identical(seq_run$t, par_run$t)
})

test_that("bad input gives classed errors; a failing replicate is named", {
  expect_statlearn_error(bootstrap(1:10, "mean"), "statlearn_error_type", "statistic")
  expect_statlearn_error(bootstrap(1:10, mean, B = 1), "statlearn_error_range", "B")
  expect_statlearn_error(bootstrap(1, mean), "statlearn_error_empty", "x")
  expect_statlearn_error(bootstrap(list(1, 2), mean), "statlearn_error_type", "x")
  expect_statlearn_error(bootstrap(1:10, function(d) "a"), "statlearn_error_type", "statistic")
  expect_statlearn_error(bootstrap(1:10, mean, simulate = 3), "statlearn_error_type", "simulate")
  expect_statlearn_error(bootstrap(1:10, mean, simulate = identity, samples = list(1:10, 1:10)),
                         "statlearn_error_conflict", "samples")
  expect_statlearn_error(bootstrap(1:10, mean, samples = list(1:10, 0:9)), "statlearn_error_type", "samples")
  # the statistic's length changes: the replicate is named
  set.seed(87)
  expect_error(bootstrap(c(1, 2, 3, 3, 3, 3), function(d) unique(d), B = 20), class = "statlearn_error_replicate")
  # the statistic fails on one sample
  err <- tryCatch(bootstrap(1:10, function(d) if (length(unique(d)) < 7) stop("too few") else 1, B = 50),
                  error = identity)
  expect_s3_class(err, "statlearn_error_replicate")
  b <- bootstrap(1:10, mean, B = 5)
  expect_statlearn_error(confint(b, "nope"), "statlearn_error_range", "parm")
  expect_statlearn_error(confint(b, level = 1), "statlearn_error_range", "level")
  expect_output(print(b), "Nonparametric bootstrap, 5 replicates")
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_silent(plot(b))
})

test_that("lasso fits are refitted on all samples at once on TBB, equal to boot::boot of lasso refits", {
  skip_if_not_installed("boot")
  set.seed(2)
  n <- 120
  x <- matrix(rnorm(n * 8), n, dimnames = list(NULL, paste0("v", 1:8)))
  y <- drop(x[, 1:3] %*% c(2, -1, 1)) + rnorm(n)
  stat <- function(f) coef(f, s = 0.5)
  fit <- lasso(x, y, threads = 1)
  set.seed(4)
  ref <- boot::boot(cbind(y, x), function(d, i) stat(lasso(d[i, -1], d[i, 1], threads = 1)), R = 30)
  idx <- boot::boot.array(ref, indices = TRUE)
  samples <- lapply(seq_len(nrow(idx)), function(b) idx[b, ])
  b1 <- bootstrap(fit, stat, samples = samples, threads = 1)
  b2 <- bootstrap(fit, stat, samples = samples, threads = 2)
  expect_identical(b1$t, b2$t)
  expect_equal(unname(b1$t), unname(ref$t), tolerance = 1e-10)
  expect_equal(unname(b1$t0), unname(ref$t0), tolerance = 1e-12)
  expect_equal(b1$se, apply(ref$t, 2, sd), tolerance = 1e-10, ignore_attr = TRUE)
  # an elastic net at a given lambda: coefficients per sample as refits on the rows
  fe <- elastic_net(x, y, alpha = 0.5, lambda = c(0.3, 0.1), threads = 1)
  be <- bootstrap(fe, function(f) coef(f)[, 2], samples = samples[1:5], threads = 2)
  loop <- t(vapply(samples[1:5], function(i) {
    coef(elastic_net(x[i, ], y[i], alpha = 0.5, lambda = c(0.3, 0.1), threads = 1))[, 2]
  }, numeric(9)))
  expect_equal(unname(be$t), unname(loop), tolerance = 1e-10)
  # by formula it goes through the replicate runner, with the same result
  d <- data.frame(y = y, x)
  ff <- lasso(y ~ ., data = d, threads = 1)
  bf <- bootstrap(ff, stat, samples = samples[1:5])
  expect_equal(unname(bf$t), unname(b1$t[1:5, ]), tolerance = 1e-10)
})
