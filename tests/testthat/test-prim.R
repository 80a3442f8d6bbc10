# PRIM (ESL 9.3) against a plainly written peel and paste, and the `prim`
# package. prim::prim.box() peels numeric inputs with the same type-8
# quantiles and faces, so without pasting its first box is ours when box
# means do not tie (it breaks ties by box volume, we by box size); its pasting
# widens a face by a fraction of the input's range (ours adds a fraction of
# the box's observations), it has no cross-validated choice along the
# trajectory (it peels to mass.min, as our folds = NULL), and no factors.

# A plain peel: at each step try every face (type-8 quantiles of the box) and
# every level of every factor, keep the highest mean (ties: the larger box),
# stop when the best leaves fewer than `min_count` observations.
plain_peel <- function(x, y, alpha, min_count) {
  inside <- rep(TRUE, length(y))
  bound <- list(lo = sapply(x, function(v) -Inf), hi = sapply(x, function(v) Inf))
  bounds <- list(bound)
  supports <- sum(inside)
  means <- mean(y)
  repeat {
    best <- NULL
    for (v in names(x)) {
      xv <- x[[v]]
      if (is.numeric(xv)) {
        ql <- quantile(xv[inside], alpha, type = 8, names = FALSE)
        qh <- quantile(xv[inside], 1 - alpha, type = 8, names = FALSE)
        cands <- list(inside & xv >= ql, inside & xv <= qh)
        attr(cands[[1]], "edge") <- list("lo", v, ql)
        attr(cands[[2]], "edge") <- list("hi", v, qh)
      } else {
        cands <- lapply(unique(as.character(xv[inside])), function(l) inside & as.character(xv) != l)
      }
      for (k in cands) {
        cnt <- sum(k)
        if (cnt == 0 || cnt == sum(inside)) next
        m <- mean(y[k])
        if (is.null(best) || m > best$m + 1e-12 || (abs(m - best$m) <= 1e-12 && cnt > best$cnt)) {
          best <- list(m = m, cnt = cnt, k = k)
        }
      }
    }
    if (is.null(best) || best$cnt < min_count) break
    inside <- best$k
    e <- attr(best$k, "edge")
    if (!is.null(e)) bound[[e[[1]]]][[e[[2]]]] <- e[[3]]
    bounds <- c(bounds, list(bound))
    supports <- c(supports, sum(inside))
    means <- c(means, mean(y[inside]))
  }
  list(inside = as.vector(inside), support = supports, mean = means, bounds = bounds)
}

# A plain paste of numeric faces: add the ceiling(alpha * m) observations
# nearest to a face (within the other faces), keep the best strict increase.
plain_paste <- function(x, y, inside, bound, alpha) {
  steps <- 0
  repeat {
    m <- sum(inside)
    best <- list(m = mean(y[inside]))
    for (v in names(x)) {
      within <- rep(TRUE, length(y))
      for (u in setdiff(names(x), v)) within <- within & x[[u]] >= bound$lo[[u]] & x[[u]] <= bound$hi[[u]]
      for (fc in c("lo", "hi")) {
        out <- which(within & !inside & if (fc == "lo") x[[v]] < bound$lo[[v]] else x[[v]] > bound$hi[[v]])
        if (!length(out)) next
        dist <- if (fc == "lo") bound$lo[[v]] - x[[v]][out] else x[[v]][out] - bound$hi[[v]]
        edge_d <- sort(dist)[min(ceiling(alpha * m), length(out))]
        add <- out[dist <= edge_d]
        new_in <- inside
        new_in[add] <- TRUE
        if (mean(y[new_in]) > best$m + 1e-12) {
          nb <- bound
          nb[[fc]][[v]] <- if (fc == "lo") min(x[[v]][add]) else max(x[[v]][add])
          best <- list(m = mean(y[new_in]), inside = new_in, bound = nb)
        }
      }
    }
    if (is.null(best$inside)) break
    inside <- best$inside
    bound <- best$bound
    steps <- steps + 1
  }
  list(inside = inside, steps = steps)
}

prim_data <- function(n = 150, seed = 1, factor = FALSE) {
  set.seed(seed)
  x <- data.frame(x1 = runif(n), x2 = runif(n), x3 = runif(n))
  y <- x$x1 + 2 * (x$x2 > 0.5) + rnorm(n, sd = 0.3)
  if (factor) {
    x$g <- factor(sample(c("a", "b", "c", "d"), n, TRUE))
    y <- y + 1.5 * (x$g == "b") - 0.5 * (x$g == "c")
  }
  list(x = x, y = y)
}

test_that("the column quantiles are stats::quantile(type = 8), bit for bit", {
  q8 <- getFromNamespace("column_quantiles8", "statlearn")
  set.seed(1)
  for (n in c(1:12, 37, 100)) {
    for (digits in 0:2) {
      X <- matrix(round(rnorm(n * 3), digits), n, 3)
      for (p in c(0.05, 0.1, 0.5, 0.9, 0.95)) {
        expect_identical(q8(X, p)[1, ], apply(X, 2, quantile, p, type = 8, names = FALSE),
                         info = sprintf("n %d, digits %d, p %g", n, digits, p))
      }
    }
  }
})

test_that("the peeling trajectory equals a plain peel (numeric and factor inputs)", {
  for (fac in c(FALSE, TRUE)) {
    d <- prim_data(factor = fac, seed = 2 + fac)
    for (alpha in c(0.05, 0.1)) {
      fit <- prim(d$x, d$y, peel_alpha = alpha, paste_alpha = 0, min_support = 12, max_boxes = 1, folds = NULL)
      ref <- plain_peel(d$x, d$y, alpha, 12)
      tr <- fit$boxes[[1]]$trajectory
      lab <- sprintf("factor %s, alpha %g", fac, alpha)
      expect_equal(tr$support, ref$support, info = paste("supports,", lab))
      expect_equal(tr$mean, ref$mean, tolerance = 1e-12, info = paste("means,", lab))
      expect_identical(fit$box == 1L, ref$inside, info = paste("box,", lab))
      expect_identical(predict(fit, d$x) == 1L, ref$inside, info = paste("predict,", lab))
    }
  }
})

test_that("the first box equals prim::prim.box without pasting", {
  suppressWarnings(skip_if_not_installed("prim"))
  for (s in 1:3) {
    d <- prim_data(n = 200, seed = 10 + s)
    fit <- prim(d$x, d$y, peel_alpha = 0.1, paste_alpha = 0, min_support = 10, max_boxes = 1, folds = NULL)
    ref <- suppressWarnings(prim::prim.box(d$x, d$y, peel.alpha = 0.1, mass.min = 10 / 200, threshold = min(d$y),
                          threshold.type = 1, pasting = FALSE))
    rb <- ref$box[[1]]
    bx <- fit$boxes[[1]]
    peeled_lo <- is.finite(bx$lower)
    peeled_hi <- is.finite(bx$upper)
    expect_equal(unname(bx$lower[peeled_lo]), unname(rb[1, peeled_lo]), tolerance = 1e-12,
                 info = sprintf("lower faces, seed %d", s))
    expect_equal(unname(bx$upper[peeled_hi]), unname(rb[2, peeled_hi]), tolerance = 1e-12,
                 info = sprintf("upper faces, seed %d", s))
    inref <- prim::prim.which.box(d$x, ref) == 1
    expect_identical(fit$box == 1L, inref, info = sprintf("membership, seed %d", s))
    expect_equal(bx$mean, mean(ref$y[[1]]), tolerance = 1e-12, info = sprintf("box mean, seed %d", s))
  }
})

test_that("pasting only raises the box mean and keeps the peeled box; later boxes use the rest", {
  d <- prim_data(n = 200, seed = 5, factor = TRUE)
  a <- prim(d$x, d$y, paste_alpha = 0, max_boxes = 1, seed = 3)
  b <- prim(d$x, d$y, paste_alpha = 0.05, max_boxes = 1, seed = 3)
  expect_gte(b$boxes[[1]]$mean, a$boxes[[1]]$mean)
  expect_true(all(b$box[a$box == 1L] == 1L))
  expect_equal(b$boxes[[1]]$mean, mean(d$y[b$box == 1L]), tolerance = 1e-12)
  # the second box is PRIM on the data outside the first
  m <- prim(d$x, d$y, max_boxes = 2, folds = NULL, paste_alpha = 0)
  skip_if(length(m$boxes) < 2L)
  rest <- m$box != 1L
  r <- prim(d$x[rest, ], d$y[rest], max_boxes = 1, folds = NULL, paste_alpha = 0)
  expect_identical(m$box[rest] == 2L, r$box == 1L, info = "second box")
  expect_equal(m$rest_mean, mean(d$y[m$box == 0L]), tolerance = 1e-12)
})

test_that("pasting equals a plain paste of the peeled box", {
  pasted <- 0
  for (s in 1:6) {
    d <- prim_data(n = 150, seed = 30 + s)
    fit <- prim(d$x, d$y, peel_alpha = 0.1, paste_alpha = 0.05, min_support = 12, max_boxes = 1, folds = NULL)
    pk <- plain_peel(d$x, d$y, 0.1, 12)
    ref <- plain_paste(d$x, d$y, pk$inside, pk$bounds[[length(pk$bounds)]], 0.05)
    expect_identical(fit$box == 1L, ref$inside, info = sprintf("pasted box, seed %d", s))
    expect_equal(fit$boxes[[1]]$pasted, ref$steps, info = sprintf("pasting steps, seed %d", s))
    pasted <- pasted + ref$steps
  }
  expect_gt(pasted, 0)
})

test_that("cross-validation chooses the box with the largest cross-validated mean", {
  d <- prim_data(n = 200, seed = 7)
  fit <- prim(d$x, d$y, max_boxes = 1, paste_alpha = 0, seed = 4, cv_rule = "max")
  tr <- fit$boxes[[1]]$trajectory
  expect_equal(fit$boxes[[1]]$chosen, which.max(tr$cv_mean) - 1L)
  expect_identical(prim(d$x, d$y, max_boxes = 1, paste_alpha = 0, seed = 4, cv_rule = "max")$box, fit$box)
  expect_equal(fit$boxes[[1]]$support, tr$support[fit$boxes[[1]]$chosen + 1L])
  one <- prim(d$x, d$y, max_boxes = 1, paste_alpha = 0, seed = 4)
  tr1 <- one$boxes[[1]]$trajectory
  top <- which.max(tr1$cv_mean)
  expect_equal(one$boxes[[1]]$chosen, which(tr1$cv_mean >= tr1$cv_mean[top] - tr1$cv_se[top])[1] - 1L)
  expect_lte(one$boxes[[1]]$chosen, fit$boxes[[1]]$chosen)
  # the cross-validated means by hand: the folds drawn from the seed, a plain
  # peel on each fold's training part, its box at the nearest support
  # fraction applied to the held-out part
  set.seed(4, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  foldid <- sample(rep(1:5, length.out = 200))
  set.seed(NULL)
  sums <- counts <- numeric(nrow(tr1))
  for (k in 1:5) {
    trn <- foldid != k
    pk <- plain_peel(d$x[trn, ], d$y[trn], 0.1, round(10 * sum(trn) / 200))
    for (t in seq_len(nrow(tr1))) {
      s <- which.min(abs(pk$support / sum(trn) - tr1$support[t] / 200))
      b <- pk$bounds[[s]]
      held <- d$x[!trn, ]
      inb <- Reduce(`&`, lapply(names(held), function(v) held[[v]] >= b$lo[[v]] & held[[v]] <= b$hi[[v]]))
      sums[t] <- sums[t] + sum(d$y[!trn][inb])
      counts[t] <- counts[t] + sum(inb)
    }
  }
  expect_equal(tr1$cv_mean, sums / counts, tolerance = 1e-12, info = "cross-validated box means")
})

test_that("direction = 'min' is PRIM on -y; factors and formulas; predict; saveRDS", {
  d <- prim_data(n = 150, seed = 8, factor = TRUE)
  lo <- prim(d$x, d$y, direction = "min", max_boxes = 2, seed = 1)
  hi <- prim(d$x, -d$y, max_boxes = 2, seed = 1)
  expect_identical(lo$box, hi$box)
  expect_equal(vapply(lo$boxes, `[[`, 0, "mean"), -vapply(hi$boxes, `[[`, 0, "mean"), tolerance = 1e-12)
  df <- data.frame(d$x, y = d$y)
  ff <- prim(y ~ ., data = df, max_boxes = 2, seed = 1)
  fx <- prim(d$x, d$y, max_boxes = 2, seed = 1)
  expect_identical(ff$box, fx$box)
  expect_identical(predict(ff, df), fx$box)
  pm <- predict(fx, d$x, type = "mean")
  expect_equal(pm, c(vapply(fx$boxes, `[[`, 0, "mean"), fx$rest_mean)[ifelse(fx$box == 0, length(fx$boxes) + 1, fx$box)])
  expect_identical(predict(round_trip(ff), df, type = "mean"), predict(ff, df, type = "mean"))
  expect_output(print(fx), "Box 1")
  expect_s3_class(summary(fx), "summary.statlearn_prim")
  expect_output(print(summary(fx)), "rest")
  f <- tempfile(fileext = ".png")
  png(f)
  plot(fx)
  dev.off()
  unlink(f)
  # a two-class response: box means are proportions of the second class
  yc <- factor(ifelse(d$y > 2, "high", "low"), levels = c("low", "high"))
  fc <- prim(d$x, yc, max_boxes = 1, seed = 1)
  expect_equal(fc$boxes[[1]]$mean, mean(yc[fc$box == 1] == "high"), tolerance = 1e-12)
})

test_that("threshold keeps only boxes whose mean reaches it", {
  d <- prim_data(n = 200, seed = 12)
  all <- prim(d$x, d$y, max_boxes = 4, seed = 1)
  means <- vapply(all$boxes, `[[`, 0, "mean")
  cut <- means[1] - 1e-9
  th <- prim(d$x, d$y, max_boxes = 4, threshold = cut, seed = 1)
  k <- which(means < cut)[1]
  expect_length(th$boxes, if (is.na(k)) length(means) else k - 1L)
  expect_length(prim(d$x, d$y, max_boxes = 4, threshold = max(d$y) + 1, seed = 1)$boxes, 0L)
  expect_equal(prim(d$x, d$y, max_boxes = 4, threshold = max(d$y) + 1, seed = 1)$rest_mean, mean(d$y))
})

test_that("prim() gives classed errors", {
  d <- prim_data(n = 50)
  expect_statlearn_error(prim(d$x, d$y[-1]), "statlearn_error_length", "`y`")
  expect_statlearn_error(prim(d$x, d$y, peel_alpha = 0.7), "statlearn_error_range", "peel_alpha")
  expect_statlearn_error(prim(d$x, d$y, min_support = 100), "statlearn_error_range", "min_support")
  expect_statlearn_error(prim(d$x, d$y, direction = "up"), "statlearn_error_input", "direction")
  expect_statlearn_error(prim(d$x, factor(sample(letters[1:3], 50, TRUE))), "statlearn_error_classes", "`y`")
  expect_statlearn_error(prim(data.frame(a = I(list(1))), 1), "statlearn_error_input")
  fit <- prim(d$x, d$y, max_boxes = 1, seed = 1)
  expect_statlearn_error(predict(fit, d$x[, 1:2]), "statlearn_error_missing", "x3")
  expect_statlearn_error(predict(fit, d$x, type = "prob"), "statlearn_error_input", "type")
  expect_statlearn_error(prim(d$x, d$y, nonsense = 1), "statlearn_error_argument", "nonsense")
})
