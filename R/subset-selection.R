# Subset selection (ESL section 3.3): best subsets by leaps and bounds,
# stepwise selection, and incremental forward stagewise regression (3.8.1).

# ---------------------------------------------------------------------------
# Best subsets

#' Best-subset regression by leaps and bounds
#'
#' Finds, for every subset size k = 0, 1, ..., `max_size`, the subset of k
#' predictors with the smallest residual sum of squares in a least-squares fit
#' with an intercept (ESL section 3.3.1, Figure 3.5). The search is exact: a
#' branch-and-bound ("leaps and bounds") search over the tree of subsets on the
#' cross-product matrix of the centred (weighted) data, using the bound that
#' no subset of a set of predictors fits better than the set itself. It is fast
#' for up to about 40 predictors. The top-level branches of the tree can run in
#' parallel; the result does not depend on the number of threads, and ties are
#' broken by the lexicographic order of the variable indices.
#'
#' The result is a path of models indexed by `size`: `coef(fit, size = 2)`,
#' `predict(fit, newdata, size = 2)`, and [cross_validate()] choose among sizes
#' (ESL Table 3.3 uses ten-fold cross-validation with the one-standard-error
#' rule). `summary()` shows, for each size, the RSS, R^2, adjusted R^2, Mallows'
#' Cp (RSS / sigma^2 - n + 2(k + 1), with sigma^2 from the full model) and BIC
#' (n log(RSS / n) + (k + 1) log n) and which variables are in the model.
#'
#' @inheritParams statlearn-params
#' @param max_size Largest subset size to search; `NULL` means all p
#'   predictors.
#' @param nbest Number of best subsets to keep for each size (the extra ones
#'   are listed in `fit$models`).
#' @param all_subsets Also return the RSS of every subset (for p <= 15), as in
#'   the grey points of ESL Figure 3.5?
#' @return A path fit of class `c("statlearn_best_subset", "statlearn_path",
#'   "statlearn_model")` with, besides the common path fields (`a0`, `beta`,
#'   `tuning` = sizes), per-size vectors `rss`, `r2`, `adjr2`, `cp`, `bic`, the
#'   logical inclusion matrix `which` (one row per size), `models` (all nbest
#'   subsets per size: a data frame with `size`, `rank`, `rss` and a logical
#'   matrix column `which`) and, if requested, `all_subsets` (a data frame with
#'   `size`, `rss` and `which`).
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., section 3.3.1, Figure 3.5 and Table 3.3.
#'
#'   Furnival, G. M. and Wilson, R. W. (1974). Regressions by leaps and bounds.
#'   *Technometrics* 16, 499-511.
#' @family chapter 3
#' @export
#' @examples
#' train <- subset(prostate, train, select = -train)
#' fit <- best_subset(lpsa ~ ., data = train, threads = 1)
#' summary(fit)
#' coef(fit, size = 2)
best_subset <- function(x, ...) UseMethod("best_subset")

#' @rdname best_subset
#' @export
best_subset.default <- function(x, y, weights = NULL, max_size = NULL, nbest = 1,
                                all_subsets = FALSE, threads = NULL, ...) {
  check_dots(..., fun = "best_subset")
  fit <- fit_best_subset(x, y, weights, max_size, nbest, all_subsets, threads)
  fit$call <- match.call()
  fit
}

#' @rdname best_subset
#' @export
best_subset.formula <- function(formula, data, subset, weights, na.action, max_size = NULL,
                                nbest = 1, all_subsets = FALSE, threads = NULL, ...) {
  check_dots(..., fun = "best_subset")
  call <- match.call()
  mf <- formula_model_frame(call, parent.frame())
  des <- formula_design(mf)
  fit <- fit_best_subset(des$x, des$y, des$weights, max_size, nbest, all_subsets, threads)
  add_formula_info(fit, des, call)
}

abort_collinear <- function(xnames, dep) {
  abort_input("x", "columns that are neither constant nor linear combinations of the others",
              sprintf("column '%s' is (numerically) dependent on the columns before it; remove it",
                      xnames[dep]), class = "statlearn_error_collinear")
}

fit_best_subset <- function(x, y, weights, max_size, nbest, all_subsets, threads) {
  x <- check_x(x, "x")
  n <- nrow(x)
  p <- ncol(x)
  y <- check_y(y, n)
  weights <- check_weights(weights, n)
  check_response_varies(y, weights)
  if (p > 64L) {
    abort_input("x", "at most 64 columns for an exhaustive search (consider stepwise())",
                sprintf("%d columns", p), class = "statlearn_error_dimension")
  }
  max_size <- if (is.null(max_size)) p else check_count(max_size, "max_size", lower = 0, upper = p)
  nbest <- check_count(nbest, "nbest", lower = 1, upper = 1e4)
  all_subsets <- check_flag(all_subsets, "all_subsets")
  if (all_subsets && p > 15L) {
    abort_input("all_subsets", "FALSE when x has more than 15 columns", "TRUE",
                class = "statlearn_error_range")
  }
  threads <- resolve_threads(threads)
  xnames <- colnames(x)
  res <- cpp_best_subset(x, y, weights, max_size, nbest, threads, all_subsets)
  if (res$dependent > 0L) abort_collinear(xnames, res$dependent)

  n_eff <- sum(weights > 0)
  res$rss[res$size == 0L] <- res$tss
  first <- res$rank == 1L
  size <- res$size[first]
  rss <- res$rss[first]
  beta <- res$beta[, first, drop = FALSE]
  dimnames(beta) <- list(xnames, paste0("size=", size))
  which <- res$which[first, , drop = FALSE]
  dimnames(which) <- list(size, xnames)
  tss <- res$tss
  rss_full <- if (max_size == p) rss[length(rss)] else {
    sum(weights * stats::lm.wfit(cbind(1, x), y, weights)$residuals^2)
  }
  sigma2 <- rss_full / (n_eff - p - 1)
  models <- data.frame(size = res$size, rank = res$rank, rss = res$rss)
  mw <- res$which
  dimnames(mw) <- list(NULL, xnames)
  models$which <- mw
  fit <- list(
    a0 = stats::setNames(res$a0[first], paste0("size=", size)), beta = beta,
    tuning_name = "size", tuning = size, axes = list(size = size),
    complexity = size, complexity_name = "size",
    xnames = xnames, nobs = n, y = y, weights = weights, method = "Best subset",
    rss = rss, r2 = if (tss > 0) 1 - rss / tss else rep(NA_real_, length(rss)),
    adjr2 = if (tss > 0) 1 - (rss / (n_eff - size - 1)) / (tss / (n_eff - 1)) else rep(NA_real_, length(rss)),
    cp = if (n_eff > p + 1) rss / sigma2 - n_eff + 2 * (size + 1) else rep(NA_real_, length(rss)),
    bic = n_eff * log(rss / n_eff) + (size + 1) * log(n_eff),
    which = which, models = models, nbest = nbest, max_size = max_size, tss = tss,
    nodes = res$nodes
  )
  if (all_subsets) {
    aw <- res$all_which
    dimnames(aw) <- list(NULL, xnames)
    all <- data.frame(size = c(0L, res$all_size), rss = c(tss, res$all_rss))
    all$which <- rbind(rep(FALSE, p), aw)
    fit$all_subsets <- all
  }
  new_path_fit(fit, "statlearn_best_subset")
}

#' @rdname best_subset
#' @param object A `best_subset()` fit.
#' @param size Subset sizes; `NULL` for all.
#' @export
coef.statlearn_best_subset <- function(object, size = NULL, ...) {
  check_dots(..., fun = "coef")
  path_coef_discrete(object, size, "size")
}

#' @export
print.statlearn_best_subset <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Best subset regression: sizes 0..%d, n = %d, p = %d\n", x$max_size, x$nobs,
              length(x$xnames)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  vars <- apply(x$which, 1L, function(w) paste(x$xnames[w], collapse = " "))
  tab <- data.frame(size = x$tuning, RSS = signif(x$rss, digits), variables = vars)
  print(tab, row.names = FALSE, right = FALSE)
  invisible(x)
}

#' @export
summary.statlearn_best_subset <- function(object, ...) {
  check_dots(..., fun = "summary")
  tab <- data.frame(size = object$tuning, rss = object$rss, r2 = object$r2,
                    adjr2 = object$adjr2, cp = object$cp, bic = object$bic)
  structure(list(call = object$call, table = tab, which = object$which,
                 nobs = object$nobs, p = length(object$xnames),
                 best = c(adjr2 = object$tuning[which.max(object$adjr2)],
                          cp = object$tuning[which.min(object$cp)],
                          bic = object$tuning[which.min(object$bic)])),
            class = "summary.statlearn_best_subset")
}

#' @export
print.summary.statlearn_best_subset <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Best subset regression, n = %d, p = %d\n", x$nobs, x$p))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  inc <- ifelse(x$which, "*", " ")
  tab <- cbind(format(x$table, digits = digits), as.data.frame(inc, stringsAsFactors = FALSE))
  cat("\nBest model of each size (* = included):\n")
  print(tab, row.names = FALSE)
  cat(sprintf("\nSize chosen by adjusted R^2: %d, Cp: %d, BIC: %d\n",
              x$best[["adjr2"]], x$best[["cp"]], x$best[["bic"]]))
  invisible(x)
}

#' @export
cv_fold_predict.statlearn_best_subset <- function(fit, x, y, weights, xtest, threads) {
  f <- fit_best_subset(x, y, weights, fit$max_size, 1L, FALSE, threads)
  path_predict_matrix(f, xtest, seq_along(f$tuning))
}

# Predictions of the path models `index` for the design xtest.
path_predict_matrix <- function(fit, xtest, index) {
  B <- fit$beta[, index, drop = FALSE]
  as.matrix(xtest %*% B) + rep(fit$a0[index], each = nrow(xtest))
}

# ---------------------------------------------------------------------------
# Stepwise selection

#' Stepwise selection for least squares
#'
#' Forward selection, backward elimination, or both, for a linear model with an
#' intercept (ESL section 3.3.2). The criterion decides each step and when to
#' stop:
#' * `"AIC"` and `"BIC"`: take the step (an addition or, for `"backward"` and
#'   `"both"`, a deletion) that lowers n log(RSS / n) + k (size + 1) the most,
#'   with k = 2 or log n, and stop when no step lowers it (as [stats::step()]
#'   does for `lm`);
#' * `"F"`: add the variable with the largest F-to-enter while its p-value is
#'   below `alpha_enter`; drop the variable with the smallest F-to-remove while
#'   its p-value is above `alpha_remove` (with `"both"`, after every entry);
#' * `"RSS"`: no stopping rule; forward runs to `max_size` (all p variables by
#'   default) and backward down to the intercept, and [cross_validate()] or the
#'   `size` argument choose along the path.
#'
#' Forward and bidirectional selection start from the intercept-only model,
#' backward elimination from the full model. The result is a path of models:
#' for `"forward"` and `"backward"` it is indexed by `size` (sizes along the
#' path are distinct); for `"both"` by `step` (0 = the starting model).
#' `coef()` and `predict()` accept either `size` or `step`.
#'
#' @inheritParams statlearn-params
#' @param direction `"forward"`, `"backward"` or `"both"`.
#' @param criterion `"AIC"`, `"BIC"`, `"F"` or `"RSS"`.
#' @param alpha_enter,alpha_remove Significance levels of the F tests to enter
#'   and to remove a variable (`criterion = "F"`); with `"both"`,
#'   `alpha_remove` must be at least `alpha_enter`.
#' @param max_size Largest model size for forward and bidirectional selection;
#'   `NULL` means p.
#' @param max_steps Largest number of steps; `NULL` means p for
#'   `"forward"`/`"backward"` and 10 p for `"both"`.
#' @return A path fit of class `c("statlearn_stepwise", "statlearn_path",
#'   "statlearn_model")` with the common path fields and `steps`, a data frame
#'   of the sequence of additions (`+`) and deletions (`-`) with the size, RSS
#'   and criterion value (or F statistic) after each step, `which` (logical
#'   inclusion matrix, one row per step), `rss`, `size` and `selected` (the
#'   variables of the final model).
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., section 3.3.2 and Figure 3.6.
#' @family chapter 3
#' @export
#' @examples
#' train <- subset(prostate, train, select = -train)
#' fit <- stepwise(lpsa ~ ., data = train, direction = "forward", criterion = "AIC")
#' fit
#' coef(fit, size = 2)
stepwise <- function(x, ...) UseMethod("stepwise")

#' @rdname stepwise
#' @export
stepwise.default <- function(x, y, weights = NULL, direction = c("forward", "backward", "both"),
                             criterion = c("AIC", "BIC", "F", "RSS"), alpha_enter = 0.05,
                             alpha_remove = 0.10, max_size = NULL, max_steps = NULL, ...) {
  check_dots(..., fun = "stepwise")
  fit <- fit_stepwise(x, y, weights, direction, criterion, alpha_enter, alpha_remove,
                      max_size, max_steps)
  fit$call <- match.call()
  fit
}

#' @rdname stepwise
#' @export
stepwise.formula <- function(formula, data, subset, weights, na.action,
                             direction = c("forward", "backward", "both"),
                             criterion = c("AIC", "BIC", "F", "RSS"), alpha_enter = 0.05,
                             alpha_remove = 0.10, max_size = NULL, max_steps = NULL, ...) {
  check_dots(..., fun = "stepwise")
  call <- match.call()
  mf <- formula_model_frame(call, parent.frame())
  des <- formula_design(mf)
  fit <- fit_stepwise(des$x, des$y, des$weights, direction, criterion, alpha_enter, alpha_remove,
                      max_size, max_steps)
  add_formula_info(fit, des, call)
}

fit_stepwise <- function(x, y, weights, direction, criterion, alpha_enter, alpha_remove,
                         max_size, max_steps) {
  x <- check_x(x, "x")
  n <- nrow(x)
  p <- ncol(x)
  y <- check_y(y, n)
  weights <- check_weights(weights, n)
  check_response_varies(y, weights)
  direction <- check_choice(direction, c("forward", "backward", "both"), "direction")
  criterion <- check_choice(criterion, c("AIC", "BIC", "F", "RSS"), "criterion")
  alpha_enter <- check_number(alpha_enter, "alpha_enter", 0, 1, lower_open = TRUE, upper_open = TRUE)
  alpha_remove <- check_number(alpha_remove, "alpha_remove", 0, 1, lower_open = TRUE, upper_open = TRUE)
  if (criterion == "RSS" && direction == "both") {
    abort_input("criterion", 'one of "AIC", "BIC" or "F" when direction = "both" (RSS has no stopping rule)',
                '"RSS"', class = "statlearn_error_range")
  }
  if (criterion == "F" && direction == "both" && alpha_remove < alpha_enter) {
    abort_input("alpha_remove", sprintf("at least alpha_enter (%g) so that the search cannot cycle",
                                        alpha_enter), format(alpha_remove), class = "statlearn_error_range")
  }
  max_size <- if (is.null(max_size)) p else check_count(max_size, "max_size", lower = 0, upper = p)
  max_steps <- if (is.null(max_steps)) (if (direction == "both") 10L * p else p) else
    check_count(max_steps, "max_steps", lower = 0)
  n_eff <- sum(weights > 0)
  xnames <- colnames(x)
  sizes <- 0:p
  df2 <- n_eff - sizes - 1
  f_enter <- ifelse(df2 > 0, stats::qf(alpha_enter, 1, pmax(df2, 1), lower.tail = FALSE), Inf)
  f_remove <- ifelse(df2 > 0, stats::qf(alpha_remove, 1, pmax(df2, 1), lower.tail = FALSE), Inf)
  crit_code <- switch(criterion, AIC = 0L, BIC = 0L, F = 1L, RSS = 2L)
  penalty <- if (criterion == "BIC") log(n_eff) else 2
  res <- cpp_stepwise(x, y, weights, match(direction, c("forward", "backward", "both")) - 1L,
                      crit_code, penalty, n_eff, f_enter, f_remove, max_size, max_steps,
                      direction == "backward")
  if (res$dependent > 0L) abort_collinear(xnames, res$dependent)

  G <- length(res$rss)
  step <- 0:(G - 1L)
  by_size <- direction != "both"
  labels <- if (by_size) paste0("size=", res$size) else paste0("step=", step)
  beta <- res$beta
  dimnames(beta) <- list(xnames, labels)
  which <- res$which
  dimnames(which) <- list(labels, xnames)
  action <- c("start", "+", "-")[match(res$action, c(0L, 1L, -1L))]
  steps <- data.frame(step = step, action = action,
                      variable = ifelse(res$variable > 0L, xnames[pmax(res$variable, 1L)], ""),
                      size = res$size, rss = res$rss, stringsAsFactors = FALSE)
  stat_name <- switch(criterion, AIC = "AIC", BIC = "BIC", F = "F", RSS = NULL)
  if (!is.null(stat_name)) {
    steps[[stat_name]] <- if (criterion == "F") c(NA, res$stat[-1L]) else res$stat
  }
  fit <- list(
    a0 = stats::setNames(res$a0, labels), beta = beta,
    tuning_name = if (by_size) "size" else "step",
    tuning = if (by_size) res$size else step,
    axes = if (by_size) list(size = res$size, step = step) else list(step = step, size = res$size),
    complexity = res$size, complexity_name = "size",
    xnames = xnames, nobs = n, y = y, weights = weights,
    method = sprintf("Stepwise (%s, %s)", direction, criterion),
    direction = direction, criterion = criterion, alpha_enter = alpha_enter,
    alpha_remove = alpha_remove, max_size = max_size, max_steps = max_steps,
    steps = steps, which = which, rss = res$rss, size = res$size, tss = res$tss,
    selected = xnames[which[G, ]]
  )
  new_path_fit(fit, "statlearn_stepwise")
}

#' @rdname stepwise
#' @param object A `stepwise()` fit.
#' @param size Model sizes along the path (for `"both"`, the last step with
#'   that size); `NULL` for all.
#' @param step Steps along the path (0 is the starting model).
#' @export
coef.statlearn_stepwise <- function(object, size = NULL, step = NULL, ...) {
  check_dots(..., fun = "coef")
  if (!is.null(step) && !is.null(size)) {
    abort_input("size", "NULL when `step` is given", describe(size), class = "statlearn_error_range")
  }
  G <- length(object$rss)
  if (!is.null(step)) {
    sub <- object
    sub$tuning <- 0:(G - 1L)
    sub$tuning_name <- "step"
    return(path_coef_discrete(sub, step, "step"))
  }
  if (is.null(size)) return(path_coef(object, seq_len(G)))
  if (identical(object$tuning_name, "size")) return(path_coef_discrete(object, size, "size"))
  if (!is.numeric(size) || anyNA(size)) {
    abort_input("size", "numeric sizes on the path", describe(size), class = "statlearn_error_type")
  }
  index <- vapply(size, function(s) {
    hit <- which(object$size == s)
    if (length(hit)) max(hit) else NA_integer_
  }, integer(1))
  if (anyNA(index)) {
    abort_input("size", sprintf("sizes visited by the path (%s)",
                                paste(sort(unique(object$size)), collapse = ", ")),
                format(size[is.na(index)][1L]), class = "statlearn_error_range")
  }
  coef_result(path_coef(object, index))
}

#' @export
print.statlearn_stepwise <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s selection by %s: %d steps, n = %d, p = %d\n",
              switch(x$direction, forward = "Forward", backward = "Backward", both = "Bidirectional"),
              x$criterion, nrow(x$steps) - 1L, x$nobs, length(x$xnames)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  tab <- x$steps
  tab$change <- ifelse(tab$action == "start", "(start)", paste(tab$action, tab$variable))
  tab <- tab[, setdiff(names(tab), c("action", "variable")), drop = FALSE]
  tab <- tab[, c("step", "change", setdiff(names(tab), c("step", "change"))), drop = FALSE]
  print(format(tab, digits = digits), row.names = FALSE, right = FALSE)
  cat("Final model: ", if (length(x$selected)) paste(x$selected, collapse = " + ") else "(intercept only)",
      "\n", sep = "")
  invisible(x)
}

#' @export
summary.statlearn_stepwise <- function(object, ...) {
  check_dots(..., fun = "summary")
  structure(list(fit = object), class = "summary.statlearn_stepwise")
}

#' @export
print.summary.statlearn_stepwise <- function(x, ...) {
  print(x$fit, ...)
  cat("\nCoefficients of the final model:\n")
  print(coef(x$fit, step = nrow(x$fit$steps) - 1L))
  invisible(x)
}

#' @export
cv_fold_predict.statlearn_stepwise <- function(fit, x, y, weights, xtest, threads) {
  f <- fit_stepwise(x, y, weights, fit$direction, fit$criterion, fit$alpha_enter,
                    fit$alpha_remove, fit$max_size, fit$max_steps)
  G <- length(f$rss)
  # The fold's path may stop earlier or later than the full fit's: a tuning
  # value the fold never reached takes the fold's final model.
  index <- if (fit$tuning_name == "size") {
    hit <- match(fit$tuning, f$size)
    ifelse(is.na(hit), G, hit)
  } else {
    pmin(fit$tuning + 1L, G)
  }
  path_predict_matrix(f, xtest, index)
}

# ---------------------------------------------------------------------------
# Incremental forward stagewise regression

#' Incremental forward stagewise regression
#'
#' ESL Algorithm 3.4 (section 3.8.1, Figure 3.19): start with all coefficients
#' at zero and the residual at the centred response; at each step find the
#' predictor most correlated with the current residual and move its
#' coefficient by `epsilon` in the direction of that correlation. As
#' `epsilon` shrinks the path approaches the infinitesimal forward stagewise
#' path, which is the lasso path whenever the lasso's coefficient profiles are
#' monotone. The algorithm stops when no step of size `epsilon` lowers the
#' residual sum of squares (the coefficients are then within about `epsilon`
#' of least squares when p < n) or after `max_steps` steps. Each step costs
#' O(p), working on inner products only.
#'
#' Steps are taken on the scale of the standardized predictors (unit weighted
#' variance) when `standardize = TRUE`, and on the original scale otherwise;
#' coefficients are always reported on the original scale.
#'
#' @inheritParams statlearn-params
#' @param epsilon The step size (on the standardized scale if `standardize`).
#' @param max_steps Largest number of steps.
#' @return A path fit of class `c("statlearn_stagewise", "statlearn_path",
#'   "statlearn_model")` indexed by `step` (0, 1, ...), with the axes
#'   `arc_length` (epsilon times the step number, the x axis of ESL Figure
#'   3.19), `l1_norm` (of the coefficients on the stepping scale) and `step`;
#'   also `variable` and `sign` (the coordinate moved and the direction of each
#'   step), `unit` (the scale of the steps for each predictor) and `converged`.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., section 3.8.1, Algorithm 3.4 and Figure 3.19.
#' @family chapter 3
#' @export
#' @examples
#' train <- subset(prostate, train, select = -train)
#' fit <- forward_stagewise(lpsa ~ ., data = train, epsilon = 0.01)
#' plot(fit)
#' coef(fit, step = 100)
forward_stagewise <- function(x, ...) UseMethod("forward_stagewise")

#' @rdname forward_stagewise
#' @export
forward_stagewise.default <- function(x, y, weights = NULL, epsilon = 0.01, max_steps = 5000,
                                      standardize = TRUE, ...) {
  check_dots(..., fun = "forward_stagewise")
  fit <- fit_stagewise(x, y, weights, epsilon, max_steps, standardize)
  fit$call <- match.call()
  fit
}

#' @rdname forward_stagewise
#' @export
forward_stagewise.formula <- function(formula, data, subset, weights, na.action, epsilon = 0.01,
                                      max_steps = 5000, standardize = TRUE, ...) {
  check_dots(..., fun = "forward_stagewise")
  call <- match.call()
  mf <- formula_model_frame(call, parent.frame())
  des <- formula_design(mf)
  fit <- fit_stagewise(des$x, des$y, des$weights, epsilon, max_steps, standardize)
  add_formula_info(fit, des, call)
}

fit_stagewise <- function(x, y, weights, epsilon, max_steps, standardize, warn_steps = TRUE) {
  x <- check_x(x, "x")
  n <- nrow(x)
  p <- ncol(x)
  y <- check_y(y, n)
  weights <- check_weights(weights, n)
  epsilon <- check_number(epsilon, "epsilon", lower = 0, lower_open = TRUE, upper = Inf, upper_open = TRUE)
  max_steps <- check_count(max_steps, "max_steps", lower = 0, upper = 1e8)
  standardize <- check_flag(standardize, "standardize")
  xnames <- colnames(x)
  res <- cpp_forward_stagewise(x, y, weights, epsilon, max_steps, standardize)
  S <- length(res$variable)
  step <- 0:S
  # Coefficients on the stepping scale: cumulative sums of the steps.
  B <- matrix(0, p, S + 1L)
  if (S > 0L) {
    inc <- matrix(0, p, S)
    inc[cbind(res$variable, seq_len(S))] <- epsilon * res$sign
    B[, -1L] <- t(apply(inc, 1L, cumsum))
  }
  beta <- B / res$unit
  labels <- paste0("step=", step)
  dimnames(beta) <- list(xnames, labels)
  a0 <- res$ybar - drop(crossprod(res$xbar, beta))
  if (!res$converged && warn_steps) {
    warn(sprintf("Forward stagewise stopped after max_steps = %d steps before the fit stopped improving; increase `max_steps` or `epsilon`.",
                 max_steps), class = "statlearn_warning_convergence")
  }
  fit <- list(
    a0 = stats::setNames(a0, labels), beta = beta, tuning_name = "step", tuning = step,
    axes = list(arc_length = epsilon * step, l1_norm = colSums(abs(B)), step = step),
    complexity = epsilon * step, complexity_name = "arc_length",
    xnames = xnames, nobs = n, y = y, weights = weights, method = "Forward stagewise",
    epsilon = epsilon, max_steps = max_steps, standardize = standardize,
    variable = res$variable, sign = res$sign, unit = stats::setNames(res$unit, xnames),
    converged = res$converged, iterations = S
  )
  new_path_fit(fit, "statlearn_stagewise")
}

#' @rdname forward_stagewise
#' @param object A `forward_stagewise()` fit.
#' @param step Step numbers (0 = all coefficients zero); `NULL` for all.
#' @export
coef.statlearn_stagewise <- function(object, step = NULL, ...) {
  check_dots(..., fun = "coef")
  path_coef_discrete(object, step, "step")
}

#' @export
cv_fold_predict.statlearn_stagewise <- function(fit, x, y, weights, xtest, threads) {
  f <- fit_stagewise(x, y, weights, fit$epsilon, fit$max_steps, fit$standardize, warn_steps = FALSE)
  # Once a fold's path has stopped, its later steps keep its final model.
  path_predict_matrix(f, xtest, pmin(fit$tuning, max(f$tuning)) + 1L)
}
