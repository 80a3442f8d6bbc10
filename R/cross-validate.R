#' K-fold cross-validation of a path of models
#'
#' Refits the model on K - 1 folds for every tuning value of the path `fit`
#' (the grid is taken from the fit) and measures the prediction error on the
#' held-out fold. Reports, for each tuning value, the cross-validated error and
#' its standard error, and picks both the minimum-error model and the simplest
#' model within one standard error of it (ESL section 7.10, used for Table 3.3).
#'
#' The folds are drawn with R's random number generator, so `set.seed()`
#' reproduces them; for classification (binomial and multinomial fits) they are
#' stratified, each class spread over the folds as evenly as it can be. A fold
#' whose training part (the other folds) misses a class is a classed error
#' (`statlearn_error_cv_fold`). Methods with a parallel engine run the folds in
#' parallel.
#' The training data are taken again from the fit's call (as [update()] does)
#' unless `x` and `y` are given.
#'
#' Other fits, and any procedure given as fit and predict functions (a
#' [learner()]), are cross-validated by the resampling core, with tuning grids
#' and plans from [resampling_plan()] (repeated K-fold, leave-one-out, Monte
#' Carlo): see [cross_validate_learner]; [bootstrap_error()] gives the
#' bootstrap estimates of ESL 7.11.
#'
#' @param fit A path fit: [best_subset()], [ridge_regression()], [lasso()],
#'   [elastic_net()], [lars()], [pcr()] or [plsr()].
#' @param folds Number of folds K (at least 2, at most n).
#' @param foldid Optional vector of fold numbers 1..K, one per observation;
#'   overrides `folds`.
#' @param measure The loss: `"mse"` (mean squared error) or `"mae"` (mean
#'   absolute error) for regression; for binomial and Poisson elastic nets also
#'   `"deviance"` (the default for them), and for binomial `"class"`
#'   (misclassification rate) and `"auc"` (area under the ROC curve, computed
#'   within each fold; larger is better). Regression fits of a 0/1 response
#'   also take `"class"`: the misclassification rate of the rule that
#'   predicts 1 when the fitted value exceeds 1/2 (linear regression of an
#'   indicator, ESL 4.2); the folds are then not stratified, and other
#'   responses are a `statlearn_error_unsupported`. `NULL` takes the first of
#'   these that applies.
#' @param x,y,weights The training data, if they cannot be found again from the
#'   fit's call.
#' @param threads Number of threads; see [statlearn_threads()].
#' @param ... Unused.
#' @return An object of class `statlearn_cv` with components `cvm` (mean error),
#'   `cvsd` (its standard error), `tuning`, `tuning_name`, `complexity`,
#'   `index_min`, `index_1se`, `tuning_min`, `tuning_1se`, `foldid` and `fit`.
#'   `coef()` and `predict()` use the one-standard-error model unless
#'   `rule = "min"`.
#' @references Hastie, Tibshirani and Friedman (2009), section 7.10 and Figure 3.7.
#' @family chapter 3
#' @export
#' @examples
#' train <- subset(prostate, train, select = -train)
#' set.seed(1)
#' cv <- cross_validate(lasso(lpsa ~ ., data = train, threads = 1), folds = 5, threads = 1)
#' cv
#' coef(cv)
cross_validate <- function(fit, folds = 10, foldid = NULL, measure = NULL,
                           x = NULL, y = NULL, weights = NULL, threads = NULL, ...) {
  UseMethod("cross_validate")
}

#' @export
cross_validate.default <- function(fit, folds = 10, foldid = NULL, measure = NULL,
                                   x = NULL, y = NULL, weights = NULL, threads = NULL, ...) {
  check_dots(..., fun = "cross_validate")
  abort_input("fit", "a statlearn fit or a learner() (see ?cross_validate_learner)",
              describe(fit), class = "statlearn_error_type")
}

#' @export
cross_validate.statlearn_path <- function(fit, folds = 10, foldid = NULL, measure = NULL,
                                          x = NULL, y = NULL, weights = NULL, threads = NULL, ...) {
  check_dots(..., fun = "cross_validate")
  measures <- cv_measures(fit)
  measure <- if (is.null(measure)) measures[1L] else check_choice(measure, measures, "measure")
  threads <- resolve_threads(threads)
  td <- training_data(fit, parent.frame(), x = x, y = y, weights = weights)
  if (measure == "class" && identical(fit$family %||% "gaussian", "gaussian")) {
    check_indicator_response(td$y)
  }
  n <- nrow(td$x)
  classes <- cv_classes(fit, td$y)
  fo <- check_foldid(foldid, folds, n, strata = classes)
  foldid <- fo$foldid
  folds <- fo$folds
  if (!is.null(classes)) check_fold_classes(foldid[td$weights > 0], classes[td$weights > 0])
  pred <- cv_predictions(fit, td$x, td$y, td$weights, foldid, threads)
  w <- td$weights
  fold_w <- as.vector(tapply(w, foldid, sum))
  if (measure == "auc") {
    fold_err <- t(vapply(seq_len(folds), function(k) {
      i <- foldid == k
      apply(pred[i, , drop = FALSE], 2L, weighted_auc, y = td$y[i], w = w[i])
    }, numeric(ncol(pred))))
  } else {
    loss <- pointwise_loss(td$y, pred, measure)
    fold_err <- apply(loss, 2L, function(l) as.vector(tapply(w * l, foldid, sum))) / fold_w
  }
  fold_err <- matrix(fold_err, nrow = folds)
  # Folds that measure nothing are left out, with one warning: a test part
  # whose weights are all zero, and (for the AUC) one that holds one class.
  none <- !(fold_w > 0) | apply(is.na(fold_err), 1L, all)
  if (all(none)) {
    abort(sprintf("No fold can be scored with measure = \"%s\" (%s); use other folds%s.", measure,
                  if (measure == "auc") "none holds both classes with positive weight" else "all weights are zero",
                  if (measure == "auc") " or measure = \"deviance\"" else ""),
          class = c("statlearn_error_cv_fold", "statlearn_error_input"))
  }
  if (any(none)) {
    warn(sprintf("Cross-validation leaves out fold%s %s: %s.", if (sum(none) > 1L) "s" else "",
                 paste(which(none), collapse = ", "),
                 if (measure == "auc") "a test part with zero total weight or one class only has no AUC"
                 else "its test part has zero total weight"),
         class = "statlearn_warning_cv_fold")
    fold_err <- fold_err[!none, , drop = FALSE]
    fold_w <- fold_w[!none]
  }
  cvm <- colSums(fold_err * fold_w) / sum(fold_w)
  cvsd <- sqrt(colSums(sweep(fold_err, 2L, cvm)^2 * fold_w) / sum(fold_w) / max(nrow(fold_err) - 1L, 1L))
  # AUC is better when larger: select on its negative.
  sel <- one_se_selection(if (measure == "auc") -cvm else cvm, cvsd, fit$complexity)
  structure(list(
    fit = fit, measure = measure, cvm = cvm, cvsd = cvsd, cvup = cvm + cvsd, cvlo = cvm - cvsd,
    fold_errors = fold_err, tuning = fit$tuning, tuning_name = fit$tuning_name,
    complexity = fit$complexity, complexity_name = fit$complexity_name,
    index_min = sel$min, index_1se = sel$one_se,
    tuning_min = fit$tuning[sel$min], tuning_1se = fit$tuning[sel$one_se],
    foldid = foldid, folds = folds
  ), class = "statlearn_cv")
}

# The classes of a classification fit's training response (which stratify its
# folds), or NULL for regression and for binomial proportions.
cv_classes <- function(fit, y) {
  family <- if (is.null(fit$family)) "gaussian" else fit$family
  if (family == "multinomial") return(y)
  if (family == "binomial" && all(y %in% c(0, 1))) return(y)
  NULL
}

# The misclassification rate of a regression fit thresholds its fitted values
# at 1/2, which only means something for a 0/1 response.
check_indicator_response <- function(y) {
  if (!all(y %in% c(0, 1))) {
    abort(paste0("measure = \"class\" for a regression fit classifies by thresholding the fitted ",
                 "value at 1/2, so it needs a 0/1 response; y has other values (",
                 paste(format(utils::head(setdiff(unique(y), c(0, 1)), 3L)), collapse = ", "),
                 "). Code y as 0/1, or fit a classifier (e.g. lasso(x, y, family = \"binomial\"))."),
          class = c("statlearn_error_unsupported", "statlearn_error_input"))
  }
}

# The losses a fit's cross-validation can use, the default first.
cv_measures <- function(fit) {
  switch(if (is.null(fit$family)) "gaussian" else fit$family,
         gaussian = c("mse", "mae", "class"),
         binomial = c("deviance", "class", "auc", "mse", "mae"),
         poisson = c("deviance", "mse", "mae"),
         multinomial = c("deviance", "class"))
}

# Loss of each observation (rows) at each tuning value (columns) from the
# out-of-fold predictions: the response scale for gaussian fits, the link
# (linear predictor) for the GLM families. Deviance is per observation, -2 loglik
# relative to the saturated model.
pointwise_loss <- function(y, pred, measure) {
  if (is.null(attr(pred, "family"))) {
    # a regression fit; "class" thresholds the fitted value of a 0/1 response at 1/2
    return(switch(measure, mse = (y - pred)^2, mae = abs(y - pred), class = (y > 0.5) != (pred > 0.5)))
  }
  switch(attr(pred, "family"),
    multinomial = {
      # pred: n x K x G links; y: class codes 1..K
      n <- dim(pred)[1L]; K <- dim(pred)[2L]; G <- dim(pred)[3L]
      idx <- cbind(seq_len(n), y)
      vapply(seq_len(G), function(g) {
        eta <- pred[, , g, drop = TRUE]
        if (!is.matrix(eta)) eta <- matrix(eta, n, K)
        mx <- apply(eta, 1L, max)
        lse <- mx + log(rowSums(exp(eta - mx)))
        if (measure == "deviance") {
          prob <- pmin(pmax(exp(eta[idx] - lse), 1e-5), 1)
          -2 * log(prob)
        } else {
          max.col(eta, ties.method = "first") != y
        }
      }, numeric(n))
    },
    binomial = {
      prob <- 1 / (1 + exp(-pred))
      prob <- pmin(pmax(prob, 1e-5), 1 - 1e-5)
      switch(measure,
             deviance = -2 * (y * log(prob) + (1 - y) * log(1 - prob)) +
               2 * ifelse(y > 0 & y < 1, y * log(y) + (1 - y) * log(1 - y), 0),
             class = (y > 0.5) != (prob > 0.5),
             mse = (y - prob)^2, mae = abs(y - prob))
    },
    poisson = {
      mu <- exp(pred)
      ylogy <- y * log(y)  # per observation, 0 log 0 = 0
      ylogy[y == 0] <- 0
      switch(measure,
             deviance = 2 * ((ylogy - y * pred) - (y - mu)),
             mse = (y - mu)^2, mae = abs(y - mu))
    })
}

# Weighted area under the ROC curve of scores s for 0/1 labels y: the
# probability that a random event scores above a random non-event (ties 1/2).
weighted_auc <- function(s, y, w) {
  pos <- y > 0.5
  if (!any(pos) || all(pos)) return(NA_real_)
  o <- order(s)
  s <- s[o]; pos <- pos[o]; w <- w[o]
  # group ties
  grp <- cumsum(c(TRUE, diff(s) != 0))
  wp <- tapply(w * pos, grp, sum); wn <- tapply(w * !pos, grp, sum)
  below_n <- cumsum(wn) - wn
  sum(wp * (below_n + wn / 2)) / (sum(wp) * sum(wn))
}

# The minimum-error index, and the simplest model within one standard error.
one_se_selection <- function(cvm, cvsd, complexity) {
  ok <- is.finite(cvm)
  i_min <- which(ok)[which.min(cvm[ok])]
  eligible <- which(ok & cvm <= cvm[i_min] + cvsd[i_min])
  i_1se <- eligible[order(complexity[eligible], cvm[eligible])][1L]
  list(min = i_min, one_se = i_1se)
}

# Out-of-fold predictions, n x G (G = length of the fit's tuning grid).
# Methods with a parallel engine override this to run the folds in parallel.
cv_predictions <- function(fit, x, y, weights, foldid, threads) {
  UseMethod("cv_predictions")
}

#' @export
cv_predictions.statlearn_path <- function(fit, x, y, weights, foldid, threads) {
  pred <- matrix(NA_real_, nrow(x), length(fit$tuning))
  for (k in sort(unique(foldid))) {
    test <- foldid == k
    pred[test, ] <- cv_fold_predict(fit, x[!test, , drop = FALSE], y[!test], weights[!test],
                                    x[test, , drop = FALSE], threads)
  }
  pred
}

# Refit the method on (x, y, weights) with the fit's own tuning grid and
# settings and predict xtest at every point of the grid: a length(xtest rows)
# x G matrix. Every path method implements this.
cv_fold_predict <- function(fit, x, y, weights, xtest, threads) {
  UseMethod("cv_fold_predict")
}

#' @export
cv_fold_predict.default <- function(fit, x, y, weights, xtest, threads) {
  abort(sprintf("cross_validate() does not support %s fits.", class(fit)[1L]),
        class = c("statlearn_error_unsupported", "statlearn_error_input"))
}

# The tuning value a rule selects.
cv_choice <- function(object, rule) {
  rule <- check_choice(rule, c("1se", "min"), "rule")
  if (rule == "1se") object$tuning_1se else object$tuning_min
}

#' @rdname cross_validate
#' @param object A `statlearn_cv` object.
#' @param rule `"1se"` (the simplest model within one standard error of the
#'   minimum) or `"min"` (the minimum cross-validated error).
#' @export
coef.statlearn_cv <- function(object, rule = c("1se", "min"), ...) {
  check_dots(..., fun = "coef")
  args <- list(object$fit)
  args[[object$tuning_name]] <- cv_choice(object, rule)
  do.call(coef, args)
}

#' @rdname cross_validate
#' @param newdata New data for `predict()`, as for the fitted model.
#' @export
predict.statlearn_cv <- function(object, newdata, rule = c("1se", "min"), ...) {
  check_dots(..., fun = "predict")
  args <- list(object$fit, newdata)  # positional: methods name it newdata or newx
  args[[object$tuning_name]] <- cv_choice(object, rule)
  do.call(stats::predict, args)
}

# How a cross-validation measure reads in a heading.
measure_label <- function(measure) {
  labels <- c(class = "misclassification rate", mse = "mean squared error",
              mae = "mean absolute error", deviance = "deviance", auc = "AUC")
  if (measure %in% names(labels)) labels[[measure]] else measure
}

#' @export
print.statlearn_cv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%d-fold cross-validation of %s (%s)\n", x$folds, x$fit$method, measure_label(x$measure)))
  tab <- data.frame(
    rule = c("min", "1se"),
    tuning = x$tuning[c(x$index_min, x$index_1se)],
    complexity = x$complexity[c(x$index_min, x$index_1se)],
    error = x$cvm[c(x$index_min, x$index_1se)],
    se = x$cvsd[c(x$index_min, x$index_1se)]
  )
  names(tab)[2:3] <- c(x$tuning_name, x$complexity_name)
  if (!cv_shows_complexity(x)) tab <- tab[, -3L, drop = FALSE]
  print(format(tab, digits = digits), row.names = FALSE)
  invisible(x)
}

# Is the complexity a column of its own in print() and summary()? Not when it
# is the tuning value itself (best subset: both are the subset size).
cv_shows_complexity <- function(object) {
  !identical(object$complexity_name, object$tuning_name) ||
    !isTRUE(all.equal(as.double(object$complexity), as.double(object$tuning)))
}

#' @export
summary.statlearn_cv <- function(object, ...) {
  check_dots(..., fun = "summary")
  tab <- data.frame(object$tuning, object$complexity, object$cvm, object$cvsd)
  names(tab) <- c(object$tuning_name, object$complexity_name, "cv_error", "std_error")
  if (!cv_shows_complexity(object)) tab <- tab[, -2L, drop = FALSE]
  nz <- cv_nonzero(object)
  if (!is.null(nz)) tab$nonzero <- nz
  tab$rule <- ""
  tab$rule[object$index_1se] <- "1se"
  tab$rule[object$index_min] <- if (object$index_min == object$index_1se) "min, 1se" else "min"
  structure(list(method = object$fit$method, folds = object$folds, measure = object$measure,
                 table = tab, index_min = object$index_min, index_1se = object$index_1se),
            class = "summary.statlearn_cv")
}

#' @export
print.summary.statlearn_cv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%d-fold cross-validation of %s (%s) at %d values\n", x$folds, x$method,
              measure_label(x$measure), nrow(x$table)))
  n <- nrow(x$table)
  show <- if (n > 20L) sort(unique(c(round(seq(1, n, length.out = 16L)), x$index_min, x$index_1se)))
          else seq_len(n)
  print(format(x$table[show, , drop = FALSE], digits = digits), row.names = FALSE)
  if (length(show) < n) cat(sprintf("... (%d of %d values shown, with both choices)\n", length(show), n))
  invisible(x)
}

#' @rdname cross_validate
#' @param main Plot title.
#' @param xvar For path fits, the axis to draw the curve against: one of the
#'   fit's axes (`names(x$fit$axes)`, such as `"s"` or `"lambda"` for the
#'   lasso); `NULL` uses the complexity measure the cross-validation reports.
#' @param top_axis Show the number of nonzero coefficients on a top axis (for
#'   paths where it changes)?
#' @details `plot()` draws the cross-validation curve with one-standard-error
#'   bars (thinned where they would overplot), marks the minimum (dotted line)
#'   and the one-standard-error choice (dashed line: the simplest model whose
#'   error is within one standard error of the minimum, whose level is the
#'   horizontal line), and, for sparse paths, shows the number of nonzero
#'   coefficients on a top axis.
#' @export
plot.statlearn_cv <- function(x, main = x$fit$method, xvar = NULL, top_axis = TRUE, ...) {
  top_axis <- check_flag(top_axis, "top_axis")
  cx <- x$complexity
  xlab <- axis_title(x$complexity_name)
  logx <- FALSE
  if (!is.null(xvar)) {
    axes <- x$fit$axes
    if (is.null(axes) || !identical(x$tuning, x$fit$tuning)) {
      abort_input("xvar", "NULL for this cross-validation (its fit has no path axes)",
                  describe(xvar), class = "statlearn_error_unsupported")
    }
    xvar <- check_choice(xvar, names(axes), "xvar")
    cx <- axes[[xvar]]
    logx <- xvar == "lambda" && all(cx > 0)
    if (logx) cx <- log(cx)
    xlab <- axis_title(xvar, logx)
  }
  ord <- order(cx)
  args <- list(x = cx[ord], y = x$cvm[ord], type = "b", pch = 19, col = "darkorange",
               ylim = range(c(x$cvlo, x$cvup), finite = TRUE), xlab = xlab,
               ylab = sprintf("CV error (%s)", x$measure), main = main, cex = 0.6)
  extra <- list(...)
  args[names(extra)] <- extra  # the caller's graphical parameters win
  nz <- if (top_axis) cv_nonzero(x)
  top <- graphics::par("mar")[3L]
  if (!is.null(nz)) args$main <- NULL  # drawn above the top axis below
  do.call(graphics::plot, args)
  if (!is.null(nz) && !is.null(main)) {
    # Above the top axis's numbers (and its title, when the margin has room).
    graphics::title(main = main, line = if (top >= 4.5) 3 else max(top - 1.2, 1.6))
  }
  bars <- thin_indices(cx, c(x$index_min, x$index_1se))
  graphics::arrows(cx[bars], x$cvlo[bars], cx[bars], x$cvup[bars], angle = 90, code = 3,
                   length = 0.015, col = "grey45")
  graphics::abline(h = x$cvup[x$index_min], lty = 3, col = "purple")
  graphics::abline(v = cx[x$index_min], lty = 3, col = "grey25")
  graphics::abline(v = cx[x$index_1se], lty = 2, col = "grey25")
  if (x$index_min == x$index_1se) label_vertical(cx[x$index_min], "min = 1se")
  else label_vertical(cx[c(x$index_min, x$index_1se)], c("min", "1se"))
  if (!is.null(nz)) {
    # One tick where the count first reaches each value, kept apart.
    at <- which(!duplicated(nz))
    at <- at[thin_indices(cx[at], max_bars = 15L)]
    graphics::axis(3, at = cx[at], labels = nz[at], cex.axis = 0.7, tick = TRUE, padj = 0.8,
                   tcl = -0.3)
    if (top >= 4.5) graphics::mtext("Nonzero coefficients", side = 3, line = 1.6, cex = 0.7)
  }
  invisible(x)
}

# The number of nonzero coefficients at each point of a cross-validated path,
# or NULL when it does not change (ridge, PCR) or is not a path.
cv_nonzero <- function(x) {
  # Derived inputs (PCR, PLS) use every variable; subsets count them already.
  if (!inherits(x$fit, "statlearn_path") || is.null(x$fit$beta) ||
      inherits(x$fit, c("statlearn_derived", "statlearn_best_subset", "statlearn_stepwise"))) {
    return(NULL)
  }
  nz <- path_table(x$fit)$nonzero
  if (length(nz) != length(x$tuning) || length(unique(nz)) < 2L) return(NULL)
  if (!identical(x$tuning, x$fit$tuning)) return(NULL)
  nz
}
