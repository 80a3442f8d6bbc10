# ESL chapter 8: model inference. The bootstrap (8.2) for any statistic of
# the data or of a package fit, nonparametric or parametric, through the
# package's replicate runner (future when a plan is set).

#' The bootstrap: sampling distribution of a statistic or of a fit
#'
#' Draws B bootstrap data sets and recomputes a statistic on each (ESL 8.2).
#' *Nonparametric*: each data set is a sample of the rows drawn with
#' replacement (`samples` can give them, e.g. the same as another method's).
#' *Parametric* (ESL 8.2.1): `simulate(data)` draws each data set from a
#' fitted model (for example, new responses from the fitted mean plus
#' Gaussian noise). For a package fit, `bootstrap(fit, statistic)` refits the
#' model on each sample of its training rows (the fit's own call, as
#' [cross_validate()] does) and applies `statistic` to each refitted model:
#' `statistic = coef` gives the bootstrap distribution of the coefficients,
#' `function(m) predict(m, grid)` the bootstrap bands of a curve (ESL Figure
#' 8.2).
#'
#' The replicates run through the package's replicate runner: in a plain
#' loop, or through `future.apply` in chunks when a `future::plan()` is set,
#' each on its own random stream drawn up front, so `set.seed()` reproduces
#' the result under any plan and number of workers. A statistic that fails
#' on one sample raises an error of class `statlearn_error_replicate` naming
#' the sample.
#'
#' Fits whose engine can refit many weighted problems in parallel are refitted
#' on all samples at once in C++ (TBB threads, `threads`; each sample as row
#' multiplicities, the same problem as the resampled rows): at present the
#' Gaussian [elastic_net()] and [lasso()] paths fitted by matrix (`lasso(x,
#' y)`). The results do not depend on the number
#' of threads; `statistic` then runs on each refitted model in R. Other fits,
#' and these with a formula, go through the replicate runner.
#'
#' @param x The data (a vector, matrix or data frame: rows are resampled), or
#'   a package fit (`statlearn_model`) to refit on resampled rows.
#' @param statistic A function of one argument: the (resampled or simulated)
#'   data, or the refitted model; it returns a numeric vector of the same
#'   length every time (names are kept).
#' @param B Number of bootstrap replicates (at least 2).
#' @param simulate For the parametric bootstrap: a function of the data that
#'   returns one simulated data set (drawing with R's random number
#'   generators); `NULL` for the nonparametric bootstrap.
#' @param samples The bootstrap samples to use instead of drawing new ones: a
#'   bootstrap [resampling_plan()] or a list of vectors of row numbers.
#' @param threads For a package fit: threads for the refits of engines that
#'   refit all samples at once (see Details); see [statlearn-params].
#' @param ... Unused.
#' @return An object of class `statlearn_bootstrap`: `t0` (the statistic on
#'   the data or the fit), `t` (a B x k matrix of replicates), `bias`
#'   (`colMeans(t) - t0`), `se` (the standard deviations of the replicates),
#'   `B`, `type`, and for the nonparametric bootstrap the `plan`. `confint()`
#'   gives percentile, normal or basic intervals; `plot()` the histogram of
#'   the replicates of one component.
#' @references Hastie, Tibshirani and Friedman (2009), section 8.2. Efron and
#'   Tibshirani (1993), *An Introduction to the Bootstrap*, Chapman and Hall.
#' @family chapter 8
#' @seealso [bootstrap_error()] for the bootstrap estimates of prediction
#'   error (ESL 7.11).
#' @examples
#' set.seed(1)
#' # the median of the bone data's response, nonparametric
#' b <- bootstrap(bone$spnbmd, median, B = 200)
#' b
#' confint(b)
#' # the coefficients of a least-squares fit, refitted on resampled rows
#' fit <- linear_regression(lpsa ~ lcavol + lweight, data = prostate)
#' bootstrap(fit, coef, B = 100)
#' # parametric: new responses from the fitted model with Gaussian noise
#' sim <- function(d) {
#'   d$lpsa <- fitted(fit) + rnorm(nrow(d), sd = sqrt(mean(residuals(fit)^2)))
#'   d
#' }
#' bootstrap(prostate, function(d) coef(lm(lpsa ~ lcavol + lweight, data = d)), B = 100,
#'           simulate = sim)
#' @export
bootstrap <- function(x, ...) UseMethod("bootstrap")

#' @rdname bootstrap
#' @export
bootstrap.default <- function(x, statistic, B = 1000, simulate = NULL, samples = NULL, ...) {
  check_dots(..., fun = "bootstrap")
  data <- x
  if (is.null(data) || !(is.atomic(data) || is.data.frame(data)) || is.list(data) && !is.data.frame(data)) {
    abort_input("x", "the data: a vector, matrix or data frame", describe(data), class = "statlearn_error_type")
  }
  n <- if (is.null(dim(data))) length(data) else nrow(data)
  if (n < 2L) abort_input("x", "data with at least 2 rows", describe(data), class = "statlearn_error_empty")
  statistic <- check_statistic(statistic)
  if (!is.null(simulate) && !is.function(simulate)) {
    abort_input("simulate", "NULL or a function of the data returning a simulated data set",
                describe(simulate), class = "statlearn_error_type")
  }
  t0 <- statistic_value(statistic(data), "the data")
  if (is.null(simulate)) {
    plan <- bootstrap_samples(samples, B, n)
    train <- plan$train
    stat <- statistic
    reps <- run_replicates(plan$B, function(i) stat(take_rows(data, train[[i]])), plan$labels)
    type <- "nonparametric"
  } else {
    if (!is.null(samples)) {
      abort_input("samples", "NULL for the parametric bootstrap (its data sets are simulated)",
                  describe(samples), class = "statlearn_error_conflict")
    }
    B <- check_count(B, "B", lower = 2, upper = 1e7)
    plan <- NULL
    stat <- statistic
    sim <- simulate
    reps <- run_replicates(B, function(i) stat(sim(data)), sprintf("simulated data set %d", seq_len(B)))
    type <- "parametric"
  }
  bootstrap_result(t0, reps, type, plan, match.call())
}

#' @rdname bootstrap
#' @export
bootstrap.statlearn_model <- function(x, statistic = stats::coef, B = 200, samples = NULL,
                                      threads = NULL, ...) {
  check_dots(..., fun = "bootstrap")
  statistic <- check_statistic(statistic)
  task <- fit_as_learner(x, parent.frame())
  d <- check_learner_data(task$x, task$y)
  t0 <- statistic_value(statistic(x), "the fit")
  plan <- bootstrap_samples(samples, B, d$n)
  lrn <- task$learner
  X <- d$x
  Y <- d$y
  train <- plan$train
  stat <- statistic
  # Fits with a parallel engine for weighted refits (the elastic net by
  # matrix) refit every sample at once on TBB; the statistic then runs on
  # each refitted model.
  fits <- bootstrap_refits(x, X, Y, plan, resolve_threads(threads))
  reps <- if (!is.null(fits)) {
    lapply(seq_along(fits), function(i) {
      tryCatch(stat(fits[[i]]), error = function(e) {
        abort(sprintf("The statistic failed on %s: %s", plan$labels[i], conditionMessage(e)),
              class = c("statlearn_error_replicate", "statlearn_error_input"), replicate = i)
      })
    })
  } else {
    run_replicates(plan$B, function(i) {
      stat(lrn$fit(rows_of(X, train[[i]]), Y[train[[i]]]))
    }, plan$labels)
  }
  out <- bootstrap_result(t0, reps, "nonparametric", plan, match.call())
  out$method <- lrn$method
  out
}

check_statistic <- function(statistic) {
  if (!is.function(statistic)) {
    abort_input("statistic", "a function of one argument (the data or the refitted model)",
                describe(statistic), class = "statlearn_error_type")
  }
  statistic
}

# A statistic's value: a numeric vector without NA (names kept).
statistic_value <- function(v, where) {
  if (!is.numeric(v) && !is.logical(v) || !is.null(dim(v)) && length(dim(v)) > 1L && min(dim(v)) > 1L ||
      length(v) == 0L) {
    abort_input("statistic", sprintf("a function returning a non-empty numeric vector (on %s)", where),
                describe(v), class = "statlearn_error_type")
  }
  v <- stats::setNames(as.double(v), names(v))
  v
}

# Rows i of a vector, matrix or data frame.
take_rows <- function(data, i) if (is.null(dim(data))) data[i] else data[i, , drop = FALSE]

bootstrap_result <- function(t0, reps, type, plan, call) {
  k <- length(t0)
  bad <- which(vapply(reps, function(r) !(is.numeric(r) || is.logical(r)) || length(r) != k, logical(1)))
  if (length(bad)) {
    r <- reps[[bad[1L]]]
    abort(sprintf("The statistic returned %s in replicate %d, but %d number(s) on the original data.",
                  describe(r), bad[1L], k),
          class = c("statlearn_error_replicate", "statlearn_error_input"), replicate = bad[1L])
  }
  t <- matrix(as.double(unlist(reps, use.names = FALSE)), length(reps), k, byrow = TRUE,
              dimnames = list(NULL, names(t0)))
  structure(list(t0 = t0, t = t, bias = colMeans(t) - t0, se = apply(t, 2L, stats::sd),
                 B = length(reps), type = type, plan = plan, call = call),
            class = "statlearn_bootstrap")
}

#' @export
print.statlearn_bootstrap <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s bootstrap, %d replicates%s\n", if (x$type == "parametric") "Parametric" else "Nonparametric",
              x$B, if (!is.null(x$method)) sprintf(" (%s refitted)", x$method) else ""))
  tab <- data.frame(original = x$t0, bias = x$bias, `std. error` = x$se, check.names = FALSE,
                    row.names = names(x$t0) %||% sprintf("t%d", seq_along(x$t0)))
  print(format(tab, digits = digits))
  invisible(x)
}

#' @rdname bootstrap
#' @param object A `bootstrap()` result.
#' @param parm Which components (names or numbers); all by default.
#' @param level The confidence level.
#' @param type For `confint()`: `"percentile"` (the quantiles of the
#'   replicates, ESL 8.2.1), `"normal"` (t0 - bias -/+ z se) or `"basic"`
#'   (2 t0 minus the quantiles).
#' @export
confint.statlearn_bootstrap <- function(object, parm = NULL, level = 0.95,
                                        type = c("percentile", "normal", "basic"), ...) {
  check_dots(..., fun = "confint")
  type <- check_choice(type, c("percentile", "normal", "basic"), "type")
  level <- check_number(level, "level", 0, 1, lower_open = TRUE, upper_open = TRUE)
  cols <- bootstrap_columns(object, parm)
  a <- (1 - level) / 2
  t0 <- object$t0[cols]
  out <- switch(type,
    percentile = t(apply(object$t[, cols, drop = FALSE], 2L, stats::quantile, probs = c(a, 1 - a),
                         names = FALSE)),
    normal = cbind(t0 - object$bias[cols] - stats::qnorm(1 - a) * object$se[cols],
                   t0 - object$bias[cols] + stats::qnorm(1 - a) * object$se[cols]),
    basic = {
      q <- t(apply(object$t[, cols, drop = FALSE], 2L, stats::quantile, probs = c(1 - a, a), names = FALSE))
      2 * t0 - q
    })
  out <- matrix(out, ncol = 2L)
  dimnames(out) <- list(names(object$t0)[cols] %||% sprintf("t%d", cols),
                        sprintf("%s %%", format(100 * c(a, 1 - a), trim = TRUE, digits = 3)))
  out
}

bootstrap_columns <- function(object, parm) {
  k <- length(object$t0)
  if (is.null(parm)) return(seq_len(k))
  cols <- if (is.character(parm)) match(parm, names(object$t0)) else parm
  if (!is.numeric(cols) || anyNA(cols) || any(cols < 1 | cols > k | cols != round(cols))) {
    abort_input("parm", sprintf("names or numbers of the statistic's %d components", k), describe(parm),
                class = "statlearn_error_range")
  }
  as.integer(cols)
}

#' @rdname bootstrap
#' @param which For `plot()`: the component to draw (a name or number).
#' @details `plot()` draws the histogram of the replicates of one component,
#'   with the value on the data (solid) and the percentile interval (dashed).
#' @export
plot.statlearn_bootstrap <- function(x, which = 1L, ...) {
  col <- bootstrap_columns(x, which)[1L]
  label <- names(x$t0)[col] %||% sprintf("t%d", col)
  args <- list(x = x$t[, col], breaks = "FD", col = "grey85", border = "white", freq = FALSE,
               xlab = label, main = sprintf("%d bootstrap replicates of %s", x$B, label))
  extra <- list(...)
  args[names(extra)] <- extra
  do.call(graphics::hist, args)
  graphics::abline(v = x$t0[col], col = "firebrick", lwd = 2)
  graphics::abline(v = confint(x, parm = col), lty = 2)
  invisible(x)
}

# Refits of a package fit on every bootstrap sample at once, or NULL when
# its class has no such engine (the replicate runner refits then).
bootstrap_refits <- function(fit, x, y, plan, threads) UseMethod("bootstrap_refits")

#' @export
bootstrap_refits.default <- function(fit, x, y, plan, threads) NULL

#' @export
bootstrap_refits.statlearn_elastic_net <- function(fit, x, y, plan, threads) {
  opt <- fit$options
  if (!identical(opt$family, "gaussian") || !(is.matrix(x) || methods::is(x, "dgCMatrix")) ||
      !is.null(fit$offset)) {
    return(NULL)
  }
  x <- check_x(x, "x", sparse_ok = TRUE, names = FALSE)
  xnames <- column_names(x)
  resp <- glm_response(y, nrow(x), opt$family)
  w <- rep(1, nrow(x))
  counts <- vapply(plan$train, tabulate, integer(nrow(x)), nbins = nrow(x))
  opt$threads <- threads
  da <- design_args(x)
  res <- cpp_elastic_net_bootstrap(da$x, da$sp_i, da$sp_p, da$sp_x, da$n, da$p, resp$y, w, counts, opt,
                                   with_ls = TRUE)
  opt$threads <- fit$options$threads
  lapply(seq_along(res), function(b) {
    new_elastic_net_fit(res[[b]], opt, x, xnames, resp, w * counts[, b], NULL, nobs = sum(counts[, b]))
  })
}
