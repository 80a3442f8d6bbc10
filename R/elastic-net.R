#' The elastic net and the lasso by pathwise coordinate descent
#'
#' Fits the whole regularisation path of the elastic net, minimising
#' \deqn{\frac{1}{2n}\sum_i w_i (y_i - \beta_0 - x_i^T\beta)^2 +
#'   \lambda \sum_j v_j \left(\frac{1-\alpha}{2}\beta_j^2 + \alpha|\beta_j|\right)}
#' for a decreasing sequence of \eqn{\lambda}, exactly as glmnet defines the
#' problem (ESL section 3.4.2 and 3.8.6), so that the two agree coefficient for
#' coefficient at the same \eqn{\lambda}. `lasso()` is the elastic net with
#' `alpha = 1`.
#'
#' As in glmnet, the weights are scaled to sum to n, the predictors are
#' standardised to unit (weighted, divisor n) variance when `standardize =
#' TRUE`, the intercept is not penalised, the penalty factors are rescaled to
#' sum to p, and the response is scaled internally to unit variance (with
#' `alpha < 1` this makes the ridge part of the penalty act on the scale of
#' \eqn{y/sd(y)}, which is glmnet's convention). Coefficients are returned on the
#' original scale.
#'
#' The engine keeps a running gradient from the Gram matrix of x (covariance
#' updates, computed by a parallel SIMD kernel) when n >= p, and updates the
#' residual otherwise or when x is sparse; both use warm starts, sequential
#' strong rules and KKT checks.
#'
#' @inheritParams statlearn-params
#' @param x A numeric matrix, a data frame of numeric columns, or a sparse
#'   `Matrix::dgCMatrix`.
#' @param alpha The elastic-net mixing parameter in \[0, 1\]: 1 is the lasso,
#'   0 ridge regression.
#' @param family The response family: `"gaussian"` (least squares),
#'   `"binomial"` (logistic regression: y a two-class factor, 0/1 or proportions;
#'   the second level is the event), `"poisson"` (log-linear counts) or
#'   `"multinomial"` (y a factor with K >= 2 classes; coefficients for every
#'   class, as glmnet).
#' @param offset Optional offset added to the linear predictor (binomial and
#'   Poisson).
#' @param type_multinomial For `family = "multinomial"`: `"ungrouped"` (a
#'   separate penalty on each class's coefficient) or `"grouped"` (a group-lasso
#'   penalty on the K coefficients of each variable, so a variable is in or out
#'   for all classes at once).
#' @param lambda Optional decreasing sequence of penalty values; by default
#'   `nlambda` values from the smallest \eqn{\lambda} giving an empty model down
#'   to `lambda_min_ratio` times it, on a log scale.
#' @param nlambda Number of \eqn{\lambda} values.
#' @param lambda_min_ratio Smallest \eqn{\lambda} as a fraction of the largest;
#'   by default 1e-4 when n > p and 0.01 otherwise.
#' @param penalty_factor Non-negative factor for each variable's penalty; 0
#'   leaves a variable unpenalised.
#' @param lower,upper Bounds on the coefficients (original scale): `lower <= 0`,
#'   `upper >= 0`, recycled to length p.
#' @param thresh Convergence threshold: coordinate descent stops when the
#'   largest weighted squared change of a coefficient is below `thresh` (times
#'   the null deviance), glmnet's rule. The default (`NULL`) is 1e-9 for
#'   `"gaussian"`, 1e-8 for `"binomial"` and `"poisson"` and 1e-7 for
#'   `"multinomial"`: with these the penalised objective stays within about
#'   1e-6 (relative) of the optimum along the whole path (measured against
#'   glmnet at its default 1e-7; see `bench/RESULTS.md`).
#' @param maxit Maximum number of passes over the data.
#' @param dfmax Stop the path at the first `lambda` whose solution has more than
#'   `dfmax` nonzero variables (that solution is kept). As in glmnet, the rule
#'   applies from the fifth `lambda` on and not to a `lambda` sequence you give;
#'   for the multinomial family a variable counts when it is nonzero in any class.
#' @return An object of class `c("statlearn_elastic_net", "statlearn_path",
#'   "statlearn_model")` (with `"statlearn_lasso"` first for `lasso()`):
#'   `a0`, `beta` (p x L, original scale), `lambda`, `df`, `dev_ratio`,
#'   `nulldev`, `axes` (`lambda`, `norm` (L1 norm of the standardised
#'   coefficients), `df`), and what prediction needs. `coef(fit, lambda = )`
#'   interpolates linearly in lambda; `coef(fit, s = )` takes the book's
#'   shrinkage factor \eqn{s = \|\beta\|_1 / \|\hat\beta^{LS}\|_1} on the
#'   standardised scale (relative to the largest L1 norm on the path when
#'   p >= n).
#' @references Hastie, Tibshirani and Friedman (2009), sections 3.4.2, 3.8.6,
#'   Figure 3.10. Friedman, Hastie and Tibshirani (2010), Regularization paths for
#'   generalized linear models via coordinate descent, *Journal of Statistical
#'   Software* 33(1). Tibshirani et al. (2012), Strong rules for discarding
#'   predictors in lasso-type problems, *JRSS B* 74(2).
#' @family chapter 3
#' @export
#' @examples
#' train <- subset(prostate, train, select = -train)
#' fit <- lasso(lpsa ~ ., data = train, threads = 1)
#' fit
#' coef(fit, s = 0.36)
#' plot(fit, xvar = "norm")
#' enet <- elastic_net(as.matrix(train[, 1:8]), train$lpsa, alpha = 0.5, threads = 1)
#' coef(enet, lambda = 0.1)
elastic_net <- function(x, ...) UseMethod("elastic_net")

#' @rdname elastic_net
#' @export
elastic_net.default <- function(x, y, alpha = 0.5,
                                family = c("gaussian", "binomial", "poisson", "multinomial"),
                                weights = NULL, lambda = NULL, nlambda = 100, lambda_min_ratio = NULL,
                                penalty_factor = NULL, lower = -Inf, upper = Inf,
                                standardize = TRUE, intercept = TRUE, thresh = NULL,
                                maxit = 100000, dfmax = NULL, offset = NULL,
                                type_multinomial = c("ungrouped", "grouped"), threads = NULL, ...) {
  check_dots(..., fun = "elastic_net")
  fit <- fit_elastic_net(x, y, alpha, family, weights, lambda, nlambda, lambda_min_ratio,
                         penalty_factor, lower, upper, standardize, intercept, thresh, maxit,
                         dfmax, offset, threads, type_multinomial)
  fit$call <- match.call()
  fit
}

# What the formula methods pass on to fit_elastic_net() through `...`.
enet_formula_arguments <- c("family", "lambda", "nlambda", "lambda_min_ratio", "penalty_factor",
                            "lower", "upper", "standardize", "intercept", "thresh", "maxit",
                            "dfmax", "threads", "type_multinomial")

#' @rdname elastic_net
#' @export
elastic_net.formula <- function(formula, data, alpha = 0.5, subset, weights, na.action, ...) {
  check_dots(..., fun = "elastic_net", allowed = enet_formula_arguments)
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_elastic_net(des$x, des$y, alpha = alpha, weights = des$weights, offset = des$offset, ...)
  add_formula_info(fit, des, call)
}

#' @rdname elastic_net
#' @export
lasso <- function(x, ...) UseMethod("lasso")

#' @rdname elastic_net
#' @export
lasso.default <- function(x, y, family = c("gaussian", "binomial", "poisson", "multinomial"),
                          weights = NULL,
                          lambda = NULL, nlambda = 100, lambda_min_ratio = NULL,
                          penalty_factor = NULL, lower = -Inf, upper = Inf, standardize = TRUE,
                          intercept = TRUE, thresh = NULL, maxit = 100000, dfmax = NULL,
                          offset = NULL, type_multinomial = c("ungrouped", "grouped"),
                          threads = NULL, ...) {
  check_dots(..., fun = "lasso")
  fit <- fit_elastic_net(x, y, 1, family, weights, lambda, nlambda, lambda_min_ratio,
                         penalty_factor, lower, upper, standardize, intercept, thresh, maxit,
                         dfmax, offset, threads, type_multinomial)
  fit$call <- match.call()
  fit
}

#' @rdname elastic_net
#' @export
lasso.formula <- function(formula, data, subset, weights, na.action, ...) {
  check_dots(..., fun = "lasso", allowed = enet_formula_arguments)
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_elastic_net(des$x, des$y, alpha = 1, weights = des$weights, offset = des$offset, ...)
  add_formula_info(fit, des, call)
}

elastic_net_options <- function(x, alpha, family, lambda, nlambda, lambda_min_ratio,
                                penalty_factor, lower, upper, standardize, intercept, thresh,
                                maxit, dfmax, threads) {
  n <- nrow(x); p <- ncol(x)
  family <- check_choice(family, c("gaussian", "binomial", "poisson", "multinomial"), "family")
  alpha <- check_number(alpha, "alpha", 0, 1)
  if (!is.null(lambda)) lambda <- check_penalty_sequence(lambda, "lambda")
  nlambda <- check_count(nlambda, "nlambda", lower = 1, upper = 10000)
  if (is.null(lambda_min_ratio)) lambda_min_ratio <- if (n < p) 0.01 else 1e-4
  lambda_min_ratio <- check_number(lambda_min_ratio, "lambda_min_ratio", 0, 1,
                                   lower_open = TRUE, upper_open = TRUE)
  if (is.null(penalty_factor)) penalty_factor <- rep(1, p)
  if (!is.numeric(penalty_factor) || length(penalty_factor) != p) {
    abort_input("penalty_factor", sprintf("a numeric vector of length %d (one per column of x)", p),
                describe(penalty_factor), class = "statlearn_error_length")
  }
  check_finite_values(penalty_factor, "penalty_factor")
  if (any(penalty_factor < 0) || all(penalty_factor == 0)) {
    abort_input("penalty_factor", "non-negative values, not all zero",
                sprintf("values in [%g, %g]", min(penalty_factor), max(penalty_factor)),
                class = "statlearn_error_range")
  }
  bound <- function(v, arg, ok) {
    if (!is.numeric(v) || anyNA(v) || !(length(v) %in% c(1L, p))) {
      abort_input(arg, sprintf("a number or a numeric vector of length %d", p), describe(v),
                  class = "statlearn_error_length")
    }
    if (!all(ok(v))) {
      abort_input(arg, if (arg == "lower") "values <= 0" else "values >= 0",
                  format(v[!ok(v)][1L]), class = "statlearn_error_range")
    }
    rep_len(as.double(v), p)
  }
  lower <- bound(lower, "lower", function(v) v <= 0)
  upper <- bound(upper, "upper", function(v) v >= 0)
  if (is.null(dfmax)) dfmax <- p + 1
  list(alpha = alpha, family = family, lambda = if (is.null(lambda)) numeric() else lambda,
       nlambda = nlambda, lambda_min_ratio = lambda_min_ratio,
       penalty_factor = as.double(penalty_factor), lower = lower, upper = upper,
       standardize = check_flag(standardize, "standardize"),
       intercept = check_flag(intercept, "intercept"),
       thresh = if (is.null(thresh)) switch(family, gaussian = 1e-9, multinomial = 1e-7, 1e-8)
                else check_number(thresh, "thresh", 0, 1, lower_open = TRUE),
       maxit = check_count(maxit, "maxit"), dfmax = check_count(dfmax, "dfmax", lower = 0),
       engine = 0L, threads = resolve_threads(threads))
}

# Arguments for the C++ glue: dense or sparse x.
design_args <- function(x) {
  if (methods::is(x, "dgCMatrix")) {
    list(x = matrix(0, 0, 0), sp_i = x@i, sp_p = x@p, sp_x = x@x, n = nrow(x), p = ncol(x))
  } else {
    list(x = x, sp_i = integer(), sp_p = integer(), sp_x = numeric(), n = nrow(x), p = ncol(x))
  }
}

fit_elastic_net <- function(x, y, alpha = 0.5, family = "gaussian", weights = NULL, lambda = NULL,
                            nlambda = 100, lambda_min_ratio = NULL, penalty_factor = NULL,
                            lower = -Inf, upper = Inf, standardize = TRUE, intercept = TRUE,
                            thresh = NULL, maxit = 100000, dfmax = NULL, offset = NULL,
                            threads = NULL, type_multinomial = "ungrouped") {
  x <- check_x(x, "x", sparse_ok = TRUE, names = FALSE)
  xnames <- column_names(x)
  opt <- elastic_net_options(x, alpha, family, lambda, nlambda, lambda_min_ratio, penalty_factor,
                             lower, upper, standardize, intercept, thresh, maxit, dfmax, threads)
  if (opt$family == "multinomial") {
    return(fit_multinomial_net(x, xnames, y, weights, offset, opt,
                               check_choice(type_multinomial, c("ungrouped", "grouped"),
                                            "type_multinomial")))
  }
  resp <- glm_response(y, nrow(x), opt$family)
  y <- resp$y
  if (opt$family == "gaussian") check_magnitude(y, "y")
  w <- check_weights(weights, nrow(x))
  offset <- check_offset(offset, nrow(x), opt$family)
  if (opt$family == "poisson" && !opt$intercept && !is.null(offset) && max(offset) > 700) {
    # Without an intercept to absorb it, exp(offset) overflows the starting fit.
    abort_input("offset", "at most 700 for a Poisson fit without intercept (exp(offset) is the starting mean)",
                format(max(offset)), class = "statlearn_error_range")
  }
  if (stats::var(y[w > 0]) == 0 || sum(w > 0) < 2L) {
    abort_input("y", "a response that varies", "a constant response", class = "statlearn_error_constant")
  }
  da <- design_args(x)
  res <- if (opt$family == "gaussian") {
    cpp_elastic_net(da$x, da$sp_i, da$sp_p, da$sp_x, da$n, da$p, y, w, opt)
  } else {
    cpp_glm_elastic_net(da$x, da$sp_i, da$sp_p, da$sp_x, da$n, da$p, y, w,
                        if (is.null(offset)) rep(0, nrow(x)) else offset,
                        glm_family_code(opt$family), opt)
  }
  new_elastic_net_fit(res, opt, x, xnames, resp, w, offset)
}

# The fit object of an engine path `res` (Gaussian or GLM family). `nobs`
# differs from nrow(x) for a bootstrap refit (weights as multiplicities).
new_elastic_net_fit <- function(res, opt, x, xnames, resp, w, offset, nobs = nrow(x)) {
  # (a bootstrap refit brings its least-squares reference norm, when known)
  y <- resp$y
  warn_path_convergence(res, opt)
  L <- length(res$lambda)
  beta <- res$beta
  dimnames(beta) <- list(xnames, paste0("s", seq_len(L) - 1L))
  scales <- if (opt$standardize) res$scales else rep(1, ncol(x))
  norm <- colSums(abs(beta * scales))
  fit <- new_path_fit(list(
    a0 = stats::setNames(res$a0, colnames(beta)), beta = beta, lambda = res$lambda,
    df = res$df, dev_ratio = res$dev_ratio, nulldev = res$null_deviance * sum(w),
    tuning_name = "lambda", tuning = res$lambda,
    axes = list(lambda = res$lambda, norm = norm, df = res$df),
    complexity = norm, complexity_name = "L1 norm (standardised)",
    alpha = opt$alpha, family = opt$family, options = opt, scales = scales,
    xnames = xnames, nobs = nobs, y = y, weights = w, sparse_ok = TRUE,
    converged = res$converged, passes = res$passes,
    engine = if (opt$family == "gaussian") c("covariance", "naive")[res$engine] else "irls-naive",
    classes = resp$classes, offset = offset,
    method = paste0(if (opt$alpha == 1) "Lasso" else sprintf("Elastic net (alpha = %g)", opt$alpha),
                    if (opt$family != "gaussian") sprintf(", %s", opt$family))
  ), if (opt$alpha == 1) c("statlearn_lasso", "statlearn_elastic_net") else "statlearn_elastic_net")
  ref <- if (!(opt$family == "gaussian" && nobs > ncol(x) && as.double(nrow(x)) * ncol(x)^2 <= 5e7)) {
    NA_real_
  } else if (is.finite(res$ls_norm %||% NA_real_)) {
    res$ls_norm
  } else {
    least_squares_norm(x, y, w, scales, opt$intercept)
  }
  fit$s_reference <- ref
  if (is.finite(ref)) fit$axes$s <- norm / ref
  fit
}

# L1 norm of the (standardised-scale) least-squares coefficients, the book's
# reference for the shrinkage factor s; NA when they are not defined.
least_squares_norm <- function(x, y, w, scales, intercept) {
  xx <- as.matrix(x)
  if (intercept) xx <- cbind(1, xx)
  ls <- stats::lm.wfit(xx, y, w)
  if (ls$rank < ncol(xx)) return(NA_real_)
  b <- ls$coefficients
  if (intercept) b <- b[-1L]
  sum(abs(b * scales))
}

shrinkage_factor <- function(fit, env) {
  if (!is.null(fit$axes$s)) return(fit$axes$s)
  ref <- fit$s_reference
  if (!is.finite(ref) && fit$nobs > length(fit$xnames) && identical(fit$family, "gaussian")) {
    td <- training_data(fit, env)
    ref <- least_squares_norm(td$x, td$y, td$weights, fit$scales, fit$options$intercept)
  }
  if (!is.finite(ref)) ref <- max(fit$axes$norm)
  fit$axes$norm / ref
}

#' @rdname elastic_net
#' @param object A fitted elastic net or lasso.
#' @param s The shrinkage factor(s) at which to return coefficients (the
#'   book's axis in Figure 3.10), between 0 and 1.
#' @export
coef.statlearn_elastic_net <- function(object, lambda = NULL, s = NULL, ...) {
  check_dots(..., fun = "coef")
  if (!is.null(lambda) && !is.null(s)) {
    abort_input("s", "NULL when `lambda` is given (choose one)", describe(s),
                class = "statlearn_error_conflict")
  }
  if (!is.null(s)) {
    return(path_coef_interpolate(object, shrinkage_factor(object, parent.frame()), s, "s"))
  }
  if (!is.null(lambda)) return(path_coef_interpolate(object, object$lambda, lambda, "lambda"))
  path_coef(object, seq_along(object$lambda))
}

#' @export
cv_predictions.statlearn_elastic_net <- function(fit, x, y, weights, foldid, threads) {
  opt <- fit$options
  opt$lambda <- fit$lambda
  opt$threads <- threads
  da <- design_args(x)
  if (opt$family == "gaussian") {
    return(cpp_elastic_net_cv(da$x, da$sp_i, da$sp_p, da$sp_x, da$n, da$p, y, weights,
                              as.integer(foldid), max(foldid), opt))
  }
  offset <- if (is.null(fit$offset)) rep(0, nrow(x)) else fit$offset
  link <- cpp_glm_elastic_net_cv(da$x, da$sp_i, da$sp_p, da$sp_x, da$n, da$p, y, weights, offset,
                                 glm_family_code(opt$family), as.integer(foldid), max(foldid), opt)
  structure(link + offset, family = opt$family)
}

# Family helpers ------------------------------------------------------------

glm_family_code <- function(family) switch(family, binomial = 1L, poisson = 2L)

# The numeric response the engine fits, and the class labels (binomial).
glm_response <- function(y, n, family, arg = "y") {
  if (family == "gaussian") return(list(y = check_y(y, n, arg), classes = NULL))
  if (family == "binomial") {
    if (is.numeric(y) && is.null(dim(y)) && !is.factor(y) &&
        all(y[!is.na(y)] >= 0 & y[!is.na(y)] <= 1) && any(y[!is.na(y)] != round(y[!is.na(y)]))) {
      # proportions in [0, 1]
      return(list(y = check_y(y, n, arg), classes = c("0", "1")))
    }
    f <- check_class_y(y, n, arg)
    if (nlevels(f) != 2L) {
      abort_input(arg, 'two classes for family = "binomial"', sprintf("%d classes", nlevels(f)),
                  class = "statlearn_error_classes")
    }
    return(list(y = as.double(as.integer(f) == 2L), classes = levels(f)))
  }
  y <- check_y(y, n, arg)
  if (any(y < 0)) {
    abort_input(arg, 'non-negative counts for family = "poisson"', sprintf("a minimum of %g", min(y)),
                class = "statlearn_error_range")
  }
  list(y = y, classes = NULL)
}

check_offset <- function(offset, n, family) {
  if (is.null(offset)) return(NULL)
  if (family == "gaussian") {
    abort_input("offset", 'NULL for family = "gaussian" (subtract it from y instead)',
                describe(offset), class = "statlearn_error_unsupported")
  }
  if (!is.numeric(offset) || length(offset) != n) {
    abort_input("offset", sprintf("a numeric vector of length %d", n), describe(offset),
                class = "statlearn_error_length")
  }
  check_finite_values(offset, "offset")
  as.double(offset)
}

#' @rdname elastic_net
#' @param newx New predictors (same columns as x), for `predict()`; for
#'   formula fits a data frame.
#' @param type `"link"` (linear predictor), `"response"` (fitted mean or
#'   probability), or `"class"` (binomial: the predicted class).
#' @param newoffset Offsets for `newx`, when the model was fitted with one.
#' @export
predict.statlearn_elastic_net <- function(object, newx, lambda = NULL, s = NULL,
                                          type = c("link", "response", "class"),
                                          newoffset = NULL, ...) {
  check_dots(..., fun = "predict")
  type <- check_choice(type, c("link", "response", "class"), "type")
  if (type == "class" && object$family %in% c("gaussian", "poisson")) {
    abort_input("type", sprintf('"link" or "response" for family = "%s" (classes need a binomial or multinomial fit)',
                                object$family), '"class"', class = "statlearn_error_range")
  }
  B <- coef(object, lambda = lambda, s = s)
  x <- if (missing(newx) || is.null(newx)) training_data(object, parent.frame())$x
       else new_design(object, newx, arg = "newx", sparse_ok = TRUE)
  link <- if (is.matrix(B)) as.matrix(x %*% B[-1L, , drop = FALSE]) + rep(B[1L, ], each = nrow(x))
          else drop(as.matrix(x %*% B[-1L])) + B[1L]
  if (!is.null(object$offset)) {
    if (is.null(newoffset)) {
      abort_input("newoffset", "the offsets of the new rows (the model has an offset)", "NULL",
                  class = "statlearn_error_missing")
    }
    link <- link + check_offset(newoffset, nrow(x), object$family)
  }
  family <- object$family
  if (type == "link" || family == "gaussian") return(link)
  if (family == "poisson") return(exp(link))
  prob <- 1 / (1 + exp(-link))
  if (type == "response") return(prob)
  cls <- (prob > 0.5) + 1L
  if (is.matrix(prob)) {
    out <- matrix(object$classes[cls], nrow(prob), dimnames = dimnames(prob))
    return(out)
  }
  class_factor(cls, object$classes)
}

