# ESL chapter 7: likelihoods of the discriminant fits, information criteria
# along paths (7.4-7.7), the leave-one-out and GCV shortcuts for linear
# smoothers (7.10.1) and effective degrees of freedom by simulation (7.6).

# Log-likelihoods of the discriminant analyses ------------------------------

#' Log-likelihood of a linear or quadratic discriminant analysis
#'
#' LDA and QDA (ESL 4.3) are fitted by maximum likelihood for the *joint*
#' Gaussian model of (x, y): the class is drawn with probabilities
#' \eqn{\pi_k}, then \eqn{x \mid y = k \sim N(\mu_k, \Sigma)} (LDA, one
#' covariance) or \eqn{N(\mu_k, \Sigma_k)} (QDA). `logLik()` returns the
#' maximised value of that joint log-likelihood,
#' \deqn{\ell = \sum_i w_i \{\log \hat\pi_{y_i} + \log \phi(x_i; \hat\mu_{y_i}, \hat\Sigma_{(y_i)})\},}
#' at the maximum-likelihood estimates \eqn{\hat\pi_k = W_k / W} (the class
#' shares of the weights, whatever `prior` the fit classifies with: the prior
#' changes the decision rule, not the fitted model), the class means, and the
#' covariance(s) with divisor \eqn{W} (LDA, pooled) or \eqn{W_k} (QDA), not the
#' unbiased divisors the fit stores for classification. At these estimates
#' the quadratic forms sum to \eqn{Wp}, so
#' \deqn{\ell = \sum_k W_k \log \hat\pi_k - \tfrac{Wp}{2}\{\log(2\pi) + 1\} - \tfrac12 \sum_k W_k \log|\hat\Sigma_{(k)}|.}
#' Weights act as case (frequency) weights, \eqn{W_k} their class sums.
#' The `rank` of a reduced-rank LDA (ESL 4.3.3) changes the classification
#' rule, not this value: it is the likelihood of the full-rank model.
#' The degrees of freedom (the `df` attribute that [stats::AIC()] and
#' [stats::BIC()] use) count the free parameters: \eqn{(K - 1) + Kp + p(p+1)/2}
#' for LDA and \eqn{(K - 1) + Kp + Kp(p+1)/2} for QDA; `nobs` is the number of
#' observations with positive weight.
#'
#' The value is computed when fitting (from the class moments) and stored
#' in the fit, so `logLik()`, `AIC()` and `BIC()` need no data; with `x` and
#' `y` (and `weights`) it is computed afresh for those data at the ML
#' estimates from them.
#'
#' @param object A [linear_discriminant()] or [quadratic_discriminant()] fit.
#' @param x,y,weights Optional data (inputs as for `predict()`, their classes
#'   and case weights) at which to compute the log-likelihood afresh; by
#'   default the value stored at fitting time, for the training data.
#' @param ... Unused.
#' @return An object of class `"logLik"` with attributes `df` and `nobs`.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., sections 4.3 and 7.5-7.7.
#' @family chapter 7
#' @examples
#' fit <- linear_discriminant(Species ~ ., data = iris, threads = 1)
#' logLik(fit)
#' qfit <- quadratic_discriminant(Species ~ ., data = iris, threads = 1)
#' AIC(fit, qfit)   # ESL 7.5: QDA's extra covariances pay for themselves here
#' BIC(fit)
#' @name logLik.statlearn_linear_discriminant
#' @export
logLik.statlearn_linear_discriminant <- function(object, x = NULL, y = NULL, weights = NULL, ...) {
  discriminant_logLik(object, x, y, weights, quadratic = FALSE, env = parent.frame())
}

#' @rdname logLik.statlearn_linear_discriminant
#' @export
logLik.statlearn_quadratic_discriminant <- function(object, x = NULL, y = NULL, weights = NULL, ...) {
  discriminant_logLik(object, x, y, weights, quadratic = TRUE, env = parent.frame())
}

discriminant_logLik <- function(object, x, y, weights, quadratic, env) {
  if (is.null(object$loglik) || !is.null(x) || !is.null(y)) {
    return(discriminant_loglik(class_training_data(object, env, x, y, weights), quadratic))
  }
  p <- length(object$xnames)
  K <- length(object$levels)
  df <- (K - 1) + K * p + (if (quadratic) K else 1) * p * (p + 1) / 2
  structure(object$loglik, df = df, nobs = sum(object$counts), class = "logLik")
}

# The maximised joint log-likelihood from the class moments of the core
# (weights W_k, means, centred scatter matrices).
discriminant_ml_loglik <- function(mom, quadratic) {
  p <- nrow(mom$means)
  K <- ncol(mom$means)
  Wk <- mom$weight
  W <- sum(Wk)
  ld <- function(S) {
    d <- determinant(S, logarithm = TRUE)
    if (d$sign <= 0) -Inf else as.numeric(d$modulus)
  }
  logdet <- if (quadratic) {
    sc <- array(mom$scatter, c(p, p, K))
    sum(Wk * vapply(seq_len(K), function(k) ld(matrix(sc[, , k], p, p) / Wk[k]), 0))
  } else {
    W * ld(matrix(mom$pooled, p, p) / W)
  }
  sum(Wk * log(Wk / W)) - W * p / 2 * (log(2 * pi) + 1) - logdet / 2
}

discriminant_loglik <- function(td, quadratic) {
  x <- td$x
  w <- td$weights
  keep <- w > 0
  x <- x[keep, , drop = FALSE]
  w <- w[keep]
  y <- droplevels(td$y[keep])
  p <- ncol(x)
  K <- nlevels(y)
  W <- sum(w)
  Wk <- as.vector(tapply(w, y, sum))
  logdet <- function(S) {
    d <- determinant(S, logarithm = TRUE)
    if (d$sign <= 0 || !is.finite(d$modulus)) {
      abort("The maximum-likelihood covariance is singular, so the Gaussian log-likelihood is infinite.",
            class = c("statlearn_error_singular", "statlearn_error_input"))
    }
    as.numeric(d$modulus)
  }
  scatter <- lapply(seq_len(K), function(k) {
    i <- as.integer(y) == k
    xc <- sweep(x[i, , drop = FALSE], 2L, colSums(w[i] * x[i, , drop = FALSE]) / Wk[k])
    crossprod(xc * sqrt(w[i]))
  })
  ld <- if (quadratic) sum(Wk * vapply(seq_len(K), function(k) logdet(scatter[[k]] / Wk[k]), 0))
        else W * logdet(Reduce(`+`, scatter) / W)
  val <- sum(Wk * log(Wk / W)) - W * p / 2 * (log(2 * pi) + 1) - ld / 2
  df <- (K - 1) + K * p + (if (quadratic) K else 1) * p * (p + 1) / 2
  structure(val, df = df, nobs = sum(keep), class = "logLik")
}

# Information criteria along a path ------------------------------------------

#' Information criteria along a regularisation or subset path
#'
#' For each point of a path fit, the training error, the effective number of
#' parameters and the in-sample criteria of ESL sections 7.4-7.7: Mallows'
#' \eqn{C_p}, AIC and BIC, with the index of the model each one chooses
#' (as in ESL Figure 7.7 or the tables of section 7.7).
#'
#' Let \eqn{N} be the number of observations with positive weight, \eqn{d}
#' the number of parameters of a model (the `df` column, plus one for the
#' intercept when the fit has one), and \eqn{\ell} the maximised
#' log-likelihood.
#' * Gaussian fits (`ridge_regression()`, `best_subset()`, `stepwise()`,
#'   `pcr()`, `plsr()`, `lars()`, and `lasso()`/`elastic_net()` with
#'   `family = "gaussian"`): the training error is
#'   \eqn{\overline{err} = \sum_i w_i (y_i - \hat f(x_i))^2 / N} and the
#'   noise variance \eqn{\sigma^2} is held fixed at `sigma2`, by default
#'   the estimate from a low-bias model, the least-squares fit on all the
#'   inputs: \eqn{RSS_{full} / (N - p - 1)} (ESL after eq. 7.26). Then
#'   \eqn{C_p = \overline{err} + 2 d \hat\sigma^2 / N} (ESL eq. 7.26),
#'   \eqn{-2\ell = N \log(2\pi\hat\sigma^2) - \sum_i \log w_i + N\,\overline{err}/\hat\sigma^2},
#'   `AIC` \eqn{= -2\ell + 2d} and `BIC` \eqn{= -2\ell + d \log N}: that is
#'   \eqn{N} times ESL eq. 7.29 and ESL eq. 7.35 (the scale of
#'   [stats::AIC()]). With \eqn{\sigma^2} known, AIC is an increasing linear
#'   function of \eqn{C_p} (ESL eq. 7.30), so the two choose the same model;
#'   BIC is ESL eq. 7.36 up to the same constant. Mallows' original scale is
#'   \eqn{N C_p / \hat\sigma^2 - N}.
#' * Binomial and Poisson `lasso()`/`elastic_net()` paths: \eqn{\ell} is the
#'   Bernoulli or Poisson log-likelihood of the fitted means,
#'   \eqn{\overline{err} = -2\ell / N} (the training deviance per observation
#'   for 0/1 responses), `AIC` and `BIC` as above (ESL eqs. 7.29-7.30 times
#'   \eqn{N}); `Cp` is `NA`.
#' * Multinomial `lasso()`/`elastic_net()` paths (`family = "multinomial"`,
#'   K classes): \eqn{\ell = \sum_i w_i \log \hat p_{i, y_i}}, the
#'   log-likelihood of the fitted class probabilities (those of
#'   `predict(fit, type = "prob")`), \eqn{\overline{err} = -2\ell/N} (the
#'   training deviance per observation), `AIC` and `BIC` as above, `Cp`
#'   `NA`. The fit's K intercepts are centred to sum to zero, so \eqn{d}
#'   adds \eqn{K - 1} of them (not one) to `df`.
#'
#' The `df` column is the package's own measure of each model's complexity:
#' the number of non-zero coefficients for the lasso (an unbiased estimate
#' of its degrees of freedom, ESL 3.4.4, Zou, Hastie and Tibshirani 2007);
#' for the Gaussian elastic net with `alpha < 1`,
#' \eqn{\mathrm{tr}[X_A (X_A^T W X_A + \lambda(1-\alpha) P_A)^{-1} X_A^T W]}
#' over the active set \eqn{A} (X centred, \eqn{P_A} the ridge part of the penalty on
#' the scales of x and y, which includes glmnet's factor \eqn{1/\mathrm{sd}(y)}; Zou and Hastie 2005),
#' plus the small term from \eqn{\mathrm{sd}(y)} itself depending on y: in all,
#' the divergence \eqn{\sum_i \partial\hat y_i/\partial y_i} (Stein's unbiased
#' df), which is smaller than the number of non-zero coefficients; for binomial and Poisson elastic nets with `alpha < 1` the
#' same trace at the solution's IRLS linearisation,
#' \eqn{\mathrm{tr}[X_A (X_A^T V X_A + \lambda(1-\alpha) P_A)^{-1} X_A^T V]}
#' with the working weights \eqn{V = w\,\hat\mu(1-\hat\mu)} (binomial) or
#' \eqn{w\,\hat\mu} (Poisson), \eqn{w} the case weights scaled to sum to
#' one, \eqn{X_A} centred with the weights \eqn{V} when the fit has an
#' intercept and \eqn{P_A} the ridge part of the penalty on the scale of x
#' (penalty factors times squared column scales; there is no \eqn{\mathrm{sd}(y)}
#' factor outside the Gaussian family); at `alpha = 1` it is the number of
#' non-zero coefficients; for multinomial paths the
#' number of free non-zero coefficients over all classes: a variable counts
#' its non-zero coefficients across the K classes but at most \eqn{K - 1},
#' because adding a constant to all K of them leaves the probabilities
#' unchanged. Under the ungrouped penalty (`type_multinomial = "ungrouped"`)
#' this is the plain count of non-zero coefficients whenever some class has a
#' zero coefficient for the variable (always so for the lasso with an odd K,
#' where 0 is the median of a variable's K coefficients at the solution);
#' under the grouped penalty a variable is in or out for all classes at once
#' and its K coefficients sum to zero, so each active variable counts
#' \eqn{K - 1}. At the unpenalised end \eqn{d = (K - 1)(p + 1)}, the count of
#' [nnet::multinom()]; with `alpha < 1` the count is an over-count (the
#' ridge part shrinks the active coefficients); \eqn{\mathrm{tr}(S_\lambda) = \sum_j d_j^2/(d_j^2+\lambda)}
#' for ridge (ESL eq. 3.50, without the intercept), the subset size for
#' best subset and stepwise selection, the number of components for PCR and
#' PLS (for PLS this is only nominal: the fit is non-linear in y and its
#' effective df is larger; see [effective_df()]), and for LARS the `df` the
#' fit reports (the number of active variables at each step).
#'
#' @param fit A path fit: [ridge_regression()], [lasso()], [elastic_net()]
#'   (gaussian, binomial, poisson or multinomial), [lars()], [best_subset()],
#'   [stepwise()], [pcr()] or [plsr()].
#' @param sigma2 The noise variance for the Gaussian criteria; `NULL` for
#'   the low-bias estimate described below (needs \eqn{N > p + 1}).
#' @param x,y,weights Optional training data, when the fit's call cannot be
#'   evaluated again.
#' @param ... Not used.
#' @return A data frame of class `statlearn_information_criteria`, one row
#'   per path point, with columns: the tuning value (named as the fit's
#'   tuning argument), `df`, `parameters` (\eqn{d}), `err`, `logLik`,
#'   `Cp`, `AIC`, `BIC`. Attributes: `best` (the row each criterion
#'   minimises), `sigma2`, `family`, `nobs`.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., sections 3.4.1, 3.4.4, 7.4-7.7.
#'   Zou, H., Hastie, T. and Tibshirani, R. (2007). On the "degrees of
#'   freedom" of the lasso. *Annals of Statistics* 35, 2173-2192.
#' @family chapter 7
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(100 * 8), 100, 8)
#' y <- drop(x[, 1:3] %*% c(2, -1, 1)) + rnorm(100)
#' ic <- information_criteria(best_subset(x, y, threads = 1))
#' ic
#' attr(ic, "best")
#' plot(ic)
#' information_criteria(ridge_regression(x, y, nlambda = 20))
#' @export
information_criteria <- function(fit, ...) UseMethod("information_criteria")

#' @export
information_criteria.default <- function(fit, ...) {
  abort(sprintf(paste0("information_criteria() needs a path fit (ridge, lasso, elastic net, LARS, ",
                       "subsets, PCR, PLS); for a single likelihood fit use AIC() and BIC(). Got %s."),
                class(fit)[1L]), class = c("statlearn_error_unsupported", "statlearn_error_input"))
}

#' @rdname information_criteria
#' @export
information_criteria.statlearn_path <- function(fit, sigma2 = NULL, x = NULL, y = NULL,
                                                weights = NULL, ...) {
  check_dots(..., fun = "information_criteria")
  family <- fit$family %||% "gaussian"
  if (!family %in% c("gaussian", "binomial", "poisson", "multinomial")) {
    abort(sprintf(paste0("information_criteria() supports gaussian, binomial, poisson and multinomial ",
                         "paths; got family \"%s\"."),
                  family), class = c("statlearn_error_unsupported", "statlearn_error_input"))
  }
  td <- training_data(fit, parent.frame(), x, y, weights)
  xx <- as.matrix(td$x)
  yy <- td$y
  w <- if (is.null(x) && is.null(y)) fit$weights %||% td$weights else td$weights
  intercept <- fit$intercept %||% fit$options$intercept %||% TRUE
  keep <- w > 0
  N <- sum(keep)
  G <- length(fit$tuning)
  if (family == "multinomial") {
    df <- multinomial_df(fit)
    # The intercepts are centred to sum to zero: K - 1 of them are free.
    d <- df + (length(fit$classes) - 1L) * as.integer(intercept)
  } else {
    B <- path_coef(fit, seq_len(G))
    eta <- xx %*% B[-1L, , drop = FALSE] + rep(B[1L, ], each = nrow(xx))
    if (!is.null(fit$offset)) eta <- eta + fit$offset
    df <- if (inherits(fit, "statlearn_elastic_net") && fit$alpha < 1) {
      if (family == "gaussian") elastic_net_df(fit, xx, yy, w) else glm_elastic_net_df(fit, xx, w, eta)
    } else {
      path_df(fit)
    }
    d <- df + as.integer(intercept)
  }
  if (family == "multinomial") {
    sigma2 <- NA_real_
    m2l <- -2 * colSums(w * multinomial_loglik_path(fit, xx, yy))
    err <- m2l / N
    cp <- rep(NA_real_, G)
  } else if (family == "gaussian") {
    if (is.null(sigma2)) {
      sigma2 <- low_bias_sigma2(xx, yy, w, intercept)
    } else {
      sigma2 <- check_number(sigma2, "sigma2", 0, Inf, lower_open = TRUE, upper_open = TRUE)
    }
    err <- colSums(w * (yy - eta)^2) / N
    m2l <- N * log(2 * pi * sigma2) - sum(log(w[keep])) + N * err / sigma2
    cp <- err + 2 * d * sigma2 / N
  } else {
    sigma2 <- NA_real_
    ll <- if (family == "binomial") {
      yy * stats::plogis(eta, log.p = TRUE) + (1 - yy) * stats::plogis(-eta, log.p = TRUE)
    } else {
      yy * eta - exp(eta) - lgamma(yy + 1)
    }
    m2l <- -2 * colSums(w * ll)
    err <- m2l / N
    cp <- rep(NA_real_, G)
  }
  tab <- data.frame(tuning = fit$tuning, df = df, parameters = d, err = err, logLik = -m2l / 2,
                    Cp = cp, AIC = m2l + 2 * d, BIC = m2l + log(N) * d, row.names = NULL)
  names(tab)[1L] <- fit$tuning_name
  best <- c(Cp = if (family == "gaussian") which.min(tab$Cp) else NA_integer_,
            AIC = which.min(tab$AIC), BIC = which.min(tab$BIC))
  structure(tab, best = best, sigma2 = sigma2, family = family, nobs = N, method = fit$method,
            class = c("statlearn_information_criteria", "data.frame"))
}

# The number of free coefficients of each point of a multinomial path (see the
# documentation above): variable j counts its non-zero coefficients across
# the K classes, at most K - 1 (a common shift of its K coefficients leaves
# the probabilities unchanged); under the grouped penalty an active variable
# has all K non-zero, summing to zero, so it counts K - 1.
multinomial_df <- function(fit) {
  K <- length(fit$classes)
  L <- length(fit$lambda)
  nz <- fit$beta != 0
  dim(nz) <- c(length(fit$xnames), K, L)
  vapply(seq_len(L), function(l) sum(pmin(rowSums(nz[, , l, drop = FALSE]), K - 1L)), numeric(1))
}

# Log-likelihood contributions log p_{i, y_i} (n x L) of a multinomial path at
# the data (x, class codes y), from the linear predictors by log-sum-exp.
multinomial_loglik_path <- function(fit, x, y) {
  K <- length(fit$classes)
  L <- length(fit$lambda)
  p <- length(fit$xnames)
  n <- nrow(x)
  matrix(vapply(seq_len(L), function(l) {
    eta <- as.matrix(x %*% matrix(fit$beta[, , l], p, K)) + rep(fit$a0[, l], each = n)
    m <- apply(eta, 1L, max)
    eta[cbind(seq_len(n), y)] - m - log(rowSums(exp(eta - m)))
  }, numeric(n)), n, L)
}

# The df column of each path family (see the documentation above).
path_df <- function(fit) {
  df <- if (inherits(fit, c("statlearn_elastic_net", "statlearn_ridge", "statlearn_lars"))) {
    fit$df
  } else if (inherits(fit, c("statlearn_best_subset", "statlearn_derived"))) {
    fit$tuning
  } else if (inherits(fit, "statlearn_stepwise")) {
    colSums(fit$beta != 0)
  } else {
    abort(sprintf("information_criteria() does not know the degrees of freedom of %s fits.",
                  class(fit)[1L]), class = c("statlearn_error_unsupported", "statlearn_error_input"))
  }
  as.double(df)
}

# Degrees of freedom of a Gaussian elastic-net fit (Zou and Hastie 2005,
# Tibshirani and Taylor 2012): with the active set A held fixed the fit is
# linear in y, y_hat = 1 ybar + X_A (X_A' W X_A + lambda (1 - alpha) P_A)^-1 X_A' W (y - ybar),
# X centred (with an intercept; without one neither x nor y is centred and
# sd(y) is the root mean square of y), W the normalised weights,
# P_A = diag(penalty factor * scale^2) / sd(y)
# (the ridge part of the penalty on the original scale); df is the trace of
# the second term, plus the term from sd(y), which also depends on y (so
# the df is the divergence of the fit, Stein's unbiased df). Coefficients
# held at a bound (lower/upper) are not free.
elastic_net_df <- function(fit, x, y, w) {
  opt <- fit$options
  ws <- w / sum(w)
  # As in glmnet, the Gaussian path is computed with y scaled to unit
  # (weighted) standard deviation, so on the scale of y the ridge part of the
  # penalty is lambda (1 - alpha) / (2 sd(y)) ||beta||^2.
  # Without an intercept neither x nor y is centred (glmnet's convention).
  intercept <- opt$intercept %||% TRUE
  ym <- if (intercept) sum(ws * y) else 0
  sy <- sqrt(sum(ws * (y - ym)^2))
  xc <- if (intercept) sweep(x, 2L, colSums(x * ws)) else x
  pf <- opt$penalty_factor
  pf <- pf * length(pf) / sum(pf)
  sc <- fit$scales %||% rep(1, ncol(x))
  lower <- rep_len(opt$lower, ncol(x))
  upper <- rep_len(opt$upper, ncol(x))
  vapply(seq_along(fit$lambda), function(j) {
    b <- fit$beta[, j]
    A <- which(b != 0 & b != lower & b != upper)
    if (!length(A)) return(0)
    xa <- xc[, A, drop = FALSE]
    G <- crossprod(xa * sqrt(ws))
    P <- fit$lambda[j] * (1 - fit$alpha) * pf[A] * sc[A]^2
    M <- G + diag(P / sy, length(A))
    # sd(y) moves with y: its term of the divergence sum_i d y_hat_i / d y_i.
    v <- P * b[A] / sy^2
    xty <- colSums(xa * (ws * (y - ym)))
    sum(diag(solve(M, G))) + sum(xty * solve(M, v)) / sy
  }, numeric(1))
}

# Degrees of freedom of a binomial or Poisson elastic-net fit: the analogue of
# elastic_net_df() at the IRLS linearisation of the solution. With the active
# set A held fixed, the fitted means move with y through the penalised
# weighted least-squares problem whose weights are V = w/sum(w) * mu(1 - mu)
# (binomial) or w/sum(w) * mu (Poisson), the objective's normalised case
# weights times the variance function at the solution, so
#   df = tr[X_A (X_A' V X_A + lambda (1 - alpha) P_A)^-1 X_A' V],
# X_A centred with the weights V when there is an intercept (the unpenalised
# intercept takes out one dimension, not counted here), P_A = diag(penalty
# factor * scale^2), the ridge part of the penalty on the original scale (no
# 1/sd(y) factor: only the Gaussian path scales y). At alpha = 1 this is |A|.
# Coefficients held at a bound (lower/upper) are not free.
glm_elastic_net_df <- function(fit, x, w, eta) {
  opt <- fit$options
  ws <- w / sum(w)
  pf <- opt$penalty_factor
  pf <- pf * length(pf) / sum(pf)
  sc <- fit$scales %||% rep(1, ncol(x))
  lower <- rep_len(opt$lower, ncol(x))
  upper <- rep_len(opt$upper, ncol(x))
  intercept <- opt$intercept %||% TRUE
  eta <- as.matrix(eta)
  vapply(seq_along(fit$lambda), function(j) {
    b <- fit$beta[, j]
    A <- which(b != 0 & b != lower & b != upper)
    if (!length(A)) return(0)
    mu <- if (fit$family == "binomial") stats::plogis(eta[, j]) else exp(eta[, j])
    v <- ws * (if (fit$family == "binomial") mu * (1 - mu) else mu)
    xa <- x[, A, drop = FALSE]
    if (intercept && sum(v) > 0) xa <- sweep(xa, 2L, colSums(xa * v) / sum(v))
    G <- crossprod(xa * sqrt(v))
    M <- G + diag(fit$lambda[j] * (1 - fit$alpha) * pf[A] * sc[A]^2, length(A))
    # M is singular only when an unpenalised (penalty factor 0) direction has
    # no curvature left (fitted means at 0 or 1): count the active set then.
    tr <- tryCatch(sum(diag(solve(M, G))), error = function(e) NA_real_)
    if (is.na(tr)) length(A) else tr
  }, numeric(1))
}

# sigma^2 from the least-squares fit on all inputs (ESL 7.5, after eq. 7.26).
low_bias_sigma2 <- function(x, y, w, intercept) {
  X <- if (intercept) cbind(1, x) else x
  ls <- stats::lm.wfit(X, y, w)
  resid_df <- sum(w > 0) - ls$rank
  if (resid_df <= 0) {
    abort_input("sigma2", paste0("given when the least-squares fit on all inputs leaves no residual ",
                                 "degrees of freedom (N <= p + 1)"), "NULL",
                class = "statlearn_error_df")
  }
  sum(w * ls$residuals^2) / resid_df
}

# Subsets are plain data frames (the chosen rows refer to the whole path).
#' @export
`[.statlearn_information_criteria` <- function(x, ...) {
  out <- NextMethod()
  if (is.data.frame(out)) {
    attributes(out)[c("best", "sigma2", "family", "nobs", "method")] <- NULL
    class(out) <- "data.frame"
  }
  out
}

#' @export
print.statlearn_information_criteria <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  if (is.null(attr(x, "best"))) {  # a subset of rows: a plain data frame
    print(as.data.frame(unclass(x)), digits = digits, ...)
    return(invisible(x))
  }
  cat(sprintf("Information criteria along the path of %s (%s, N = %d%s)\n", attr(x, "method"),
              attr(x, "family"), attr(x, "nobs"),
              if (is.na(attr(x, "sigma2"))) "" else sprintf(", sigma^2 = %s", format(attr(x, "sigma2"), digits = digits))))
  tab <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  attr(tab, "best") <- NULL
  print(format(tab, digits = digits), row.names = FALSE)
  best <- attr(x, "best")
  best <- best[!is.na(best)]
  cat("Chosen: ", paste(sprintf("%s at %s = %s", names(best), names(x)[1L],
                                format(x[[1L]][best], digits = digits)), collapse = "; "), "\n", sep = "")
  invisible(x)
}

#' @rdname information_criteria
#' @param criteria For `plot()`: which criteria to draw against the number of
#'   parameters, `"AIC"` and/or `"BIC"` (one scale, \eqn{-2\ell} plus the
#'   penalty), or `"Cp"` alone (the error scale). A dashed vertical line marks
#'   each one's choice, as in ESL Figure 7.7.
#' @param main Plot title.
#' @export
plot.statlearn_information_criteria <- function(x, criteria = c("AIC", "BIC"), main = attr(x, "method"),
                                                ...) {
  if (!is.character(criteria) || !length(criteria) || !all(criteria %in% c("AIC", "BIC", "Cp")) ||
      ("Cp" %in% criteria && length(criteria) > 1L)) {
    abort_input("criteria", "\"AIC\" and/or \"BIC\", or \"Cp\" alone", describe(criteria),
                class = "statlearn_error_choice")
  }
  if ("Cp" %in% criteria && all(is.na(x$Cp))) {
    abort_input("criteria", "\"AIC\" or \"BIC\" for a non-Gaussian path (Cp needs sigma^2)", "\"Cp\"",
                class = "statlearn_error_choice")
  }
  d <- x$parameters
  ord <- order(d)
  Y <- as.matrix(as.data.frame(unclass(x))[ord, criteria, drop = FALSE])
  col <- c(AIC = "#1b7837", BIC = "#762a83", Cp = "#2166ac")[criteria]
  args <- list(x = d[ord], y = Y, type = "b", pch = 19, cex = 0.6, lty = 1, col = col,
               xlab = "Number of parameters d (df + intercept)",
               ylab = if (identical(criteria, "Cp")) "Cp (error scale)" else "-2 log-likelihood + penalty",
               main = main)
  extra <- list(...)
  args[names(extra)] <- extra
  do.call(graphics::matplot, args)
  best <- attr(x, "best")[criteria]
  graphics::abline(v = d[best], lty = 2, col = col)
  graphics::legend("topright", legend = sprintf("%s (chosen d = %s)", criteria, format(d[best], digits = 3)),
                   col = col, lty = 1, pch = 19, bty = "n", cex = 0.85)
  invisible(x)
}

# Leave-one-out and GCV for linear smoothers ---------------------------------

#' Leave-one-out and generalised cross-validation for linear smoothers
#'
#' For a linear smoother \eqn{\hat y = S y} whose leave-one-out fit
#' renormalises the rows of \eqn{S} (least squares, ridge, k nearest
#' neighbours), the leave-one-out residual needs no refit (ESL section
#' 7.10.1, eqs. 7.51-7.52):
#' \deqn{y_i - \hat f^{-i}(x_i) = \frac{y_i - \hat f(x_i)}{1 - S_{ii}},}
#' and generalised cross-validation replaces \eqn{S_{ii}} by its average
#' \eqn{\mathrm{tr}(S)/N}:
#' \deqn{GCV = \frac{1}{N}\sum_i \Big[\frac{y_i - \hat f(x_i)}{1 - \mathrm{tr}(S)/N}\Big]^2}
#' With weights, the mean and \eqn{S} are the weighted ones.
#'
#' Supported fits:
#' * [linear_regression()]: \eqn{S_{ii}} are the leverages (hat values); LOO
#'   equals refitting without each observation exactly.
#' * [ridge_regression()], along the whole path: \eqn{S_{ii} = w_i/W +
#'   \sum_j u_{ij}^2 d_j^2/(d_j^2+\lambda)} (intercept plus ESL eq. 3.47).
#'   Exact for refits at the same \eqn{\lambda} when `standardize = FALSE`;
#'   with `standardize = TRUE` the column scales are held at their full-data
#'   values (a refit would re-estimate them, a tiny difference).
#' * [nearest_neighbors()] regression with one `k`: \eqn{S_{ii} = 1/k}, because
#'   each training point is its own nearest neighbour. The shortcut is then the
#'   leave-one-out error of the average of the *other* \eqn{k - 1} neighbours,
#'   which is what a refit without the point with \eqn{k - 1} neighbours gives;
#'   (a refit with \eqn{k} neighbours brings in the \eqn{(k+1)}-th neighbour
#'   instead, so is not a linear-smoother identity). Needs distinct training
#'   rows (a duplicated row ties at distance zero) and `k >= 2`, and no
#'   editing or condensing.
#'
#' @param fit A fit from [linear_regression()], [ridge_regression()] or
#'   [nearest_neighbors()] (regression).
#' @param x,y,weights Optional training data, when the fit's call cannot be
#'   evaluated again.
#' @param ... Not used.
#' @return A data frame with one row per model (path point for ridge): the
#'   tuning value where there is one, `df` (\eqn{\mathrm{tr}(S)}, counting the
#'   intercept), `loo` (the mean squared leave-one-out residual) and `gcv`;
#'   attribute `residuals`, the N x G matrix of leave-one-out residuals.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., sections 3.4.1 and 7.10.1.
#' @family chapter 7
#' @examples
#' fit <- ridge_regression(mpg ~ ., data = mtcars, lambda = c(1, 10, 100))
#' smoother_cv(fit)
#' smoother_cv(linear_regression(mpg ~ wt + hp, data = mtcars))
#' @export
smoother_cv <- function(fit, ...) UseMethod("smoother_cv")

#' @export
smoother_cv.default <- function(fit, ...) {
  abort(sprintf(paste0("smoother_cv() applies to linear smoothers (linear_regression(), ",
                       "ridge_regression(), nearest_neighbors() regression, smoothing_spline()); got %s."),
                class(fit)[1L]),
        class = c("statlearn_error_unsupported", "statlearn_error_input"))
}

smoother_table <- function(r, h, w, tuning = NULL, tuning_name = NULL) {
  r <- as.matrix(r)
  h <- as.matrix(h)
  keep <- w > 0
  N <- sum(keep)
  W <- sum(w)
  tr <- colSums(h[keep, , drop = FALSE])
  loo_r <- r / (1 - h)
  loo_r[!keep, ] <- NA
  loo <- colSums(w[keep] * loo_r[keep, , drop = FALSE]^2) / W
  gcv <- colSums(w[keep] * r[keep, , drop = FALSE]^2) / W / (1 - tr / N)^2
  tab <- data.frame(df = tr, loo = loo, gcv = gcv, row.names = NULL)
  if (!is.null(tuning)) {
    tab <- cbind(stats::setNames(data.frame(tuning), tuning_name), tab)
  }
  attr(tab, "residuals") <- loo_r
  tab
}

#' @rdname smoother_cv
#' @export
smoother_cv.statlearn_smoothing_spline <- function(fit, ...) {
  check_dots(..., fun = "smoother_cv")
  smoother_table(fit$residuals, fit$leverage, fit$weights)
}

#' @rdname smoother_cv
#' @export
smoother_cv.statlearn_linear_regression <- function(fit, x = NULL, y = NULL, weights = NULL, ...) {
  check_dots(..., fun = "smoother_cv")
  if (is.null(x) && is.null(y)) {
    td <- training_data(fit, parent.frame())
    w <- fit$weights
  } else {
    td <- training_data(fit, parent.frame(), x, y, weights)
    w <- td$weights
  }
  X <- as.matrix(td$x)
  if (fit$intercept) X <- cbind(1, X)
  keep <- w > 0
  q <- qr(X[keep, , drop = FALSE] * sqrt(w[keep]))
  Q <- qr.Q(q)[, seq_len(q$rank), drop = FALSE]
  h <- r <- numeric(length(w))
  h[keep] <- rowSums(Q^2)
  r[keep] <- drop(td$y[keep] - qr.fitted(q, td$y[keep] * sqrt(w[keep])) / sqrt(w[keep]))
  smoother_table(r, h, w)
}

#' @rdname smoother_cv
#' @export
smoother_cv.statlearn_ridge <- function(fit, x = NULL, y = NULL, weights = NULL, ...) {
  check_dots(..., fun = "smoother_cv")
  td <- training_data(fit, parent.frame(), x, y, weights)
  xx <- as.matrix(td$x)
  w <- if (is.null(x)) fit$weights else td$weights
  xs <- sweep(sweep(xx, 2L, fit$xm), 2L, fit$scales, "/") * sqrt(w)
  u <- sweep(xs %*% fit$v, 2L, fit$d, "/")
  h <- w / sum(w) + (u^2) %*% vapply(fit$lambda, function(l) fit$d^2 / (fit$d^2 + l),
                                     numeric(length(fit$d)))
  B <- path_coef(fit, seq_along(fit$lambda))
  r <- td$y - (xx %*% B[-1L, , drop = FALSE] + rep(B[1L, ], each = nrow(xx)))
  smoother_table(r, h, w, fit$lambda, "lambda")
}

#' @rdname smoother_cv
#' @export
smoother_cv.statlearn_nearest_neighbors <- function(fit, ...) {
  check_dots(..., fun = "smoother_cv")
  if (inherits(fit, "statlearn_classifier")) {
    abort_input("fit", "a nearest_neighbors() regression fit (numeric y)", "a classifier",
                class = "statlearn_error_unsupported")
  }
  k <- fit$k
  if (length(k) != 1L || k < 2L) {
    abort_input("fit", "a fit with one k of at least 2 (S_ii = 1/k)", sprintf("k = %s",
                paste(k, collapse = ", ")), class = "statlearn_error_unsupported")
  }
  if (!is.null(fit$kept) || !identical(fit$edit %||% "none", "none") || isTRUE(fit$condense)) {
    abort_input("fit", "a fit without editing or condensing", "an edited or condensed fit",
                class = "statlearn_error_unsupported")
  }
  if (anyDuplicated(fit$x)) {
    abort_input("fit", "distinct training rows (each point its own unique nearest neighbour)",
                "duplicated rows", class = "statlearn_error_ties")
  }
  f <- drop(as.matrix(stats::predict(fit, threads = 1L)))
  r <- fit$y - f
  smoother_table(r, rep(1 / k, length(r)), rep(1, length(r)), k, "k")
}

# Effective degrees of freedom by simulation ----------------------------------

#' Effective degrees of freedom by the covariance formula (simulation)
#'
#' Section 7.6 of ESL defines the effective number of parameters of any fitting
#' procedure as \eqn{df(\hat y) = \sum_i \mathrm{Cov}(\hat y_i, y_i)/\sigma^2}.
#' `effective_df()` estimates it by a parametric bootstrap: it draws
#' \eqn{y^{*b} = \mu + \sigma\varepsilon^{*b}} (\eqn{\varepsilon} standard
#' normal, \eqn{b = 1, \dots, B}), refits the same procedure (same settings,
#' same tuning grid) to \eqn{(x, y^{*b})}, and returns
#' \deqn{\widehat{df} = \frac{1}{B}\sum_b D_b,\quad
#'   D_b = \frac{B}{B-1}\sum_i (\hat y^{*b}_i - \bar{\hat y}^*_i)(y^{*b}_i - \mu_i)/\sigma^2,}
#' an unbiased estimate of it, with Monte Carlo standard error
#' \eqn{\mathrm{sd}(D_b)/\sqrt B}.
#' By default \eqn{\mu} and \eqn{\sigma^2} come from a low-bias model, the
#' least-squares fit on all inputs (its fitted values, and
#' \eqn{RSS/(N - p - 1)}); the df does not depend on them for linear
#' smoothers (least squares: p + 1; ridge: \eqn{1 + \mathrm{tr}(S_\lambda)}),
#' and for the lasso it is close to the number of non-zero coefficients
#' plus one.
#'
#' @details
#' The B refits are independent replicates. When the user has set a
#' `future::plan()` other than sequential (and future.apply is installed),
#' they are dispatched through `future.apply::future_lapply()`, in chunks
#' (one per worker by default; `options(statlearn.future_chunk_size = k)`
#' sets the size); otherwise they run one after another. The noise
#' \eqn{\varepsilon^{*b}} is drawn with R's random number generator before
#' any refit, so after `set.seed()` the result is the same under any plan
#' and any number of workers. An error in a refit is raised as a
#' `statlearn_error_replicate` naming the simulation that failed. A function
#' `fit` is sent to the workers with its environment: keep large unneeded
#' objects out of it.
#'
#' @param fit A regression fit: [linear_regression()], or a Gaussian path
#'   ([ridge_regression()], [lasso()]/[elastic_net()], [lars()],
#'   [best_subset()], [stepwise()], [pcr()], [plsr()]); or a function
#'   `function(x, y)` returning the fitted values (a vector, or an N x G
#'   matrix for a grid), with `x` and `y` given.
#' @param B Number of simulated responses.
#' @param sigma Noise standard deviation; `NULL` for the low-bias estimate.
#' @param mean The mean vector \eqn{\mu} to simulate around; `NULL` for the
#'   low-bias fitted values.
#' @param x,y Training data (needed for a function; optional otherwise, when
#'   the fit's call cannot be evaluated again). Weights are not supported.
#' @param ... Not used.
#' @return A data frame with one row per model (path point): the tuning
#'   value for paths, `df` (the estimate, counting the intercept) and `se`
#'   (its Monte Carlo standard error); attributes `sigma`, `B`.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., sections 7.6 and 7.7;
#'   Efron, B. (1986). How biased is the apparent error rate of a prediction
#'   rule? *JASA* 81, 461-470.
#' @family chapter 7
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(60 * 5), 60, 5)
#' y <- drop(x %*% c(1, -1, 0.5, 0, 0)) + rnorm(60)
#' fit <- ridge_regression(x, y, lambda = c(1, 10, 100))
#' effective_df(fit, B = 50)
#' fit$df + 1
#' @export
effective_df <- function(fit, B = 200, sigma = NULL, mean = NULL, x = NULL, y = NULL, ...) {
  check_dots(..., fun = "effective_df")
  B <- check_count(B, "B", lower = 2, upper = 1e6)
  if (is.function(fit)) {
    if (is.null(x) || is.null(y)) {
      abort_input("x", "given with `y` when `fit` is a function", "NULL", class = "statlearn_error_missing")
    }
    x <- check_x(x, "x")
    y <- check_y(y, nrow(x))
    refit <- refit_function(fit, x)
    tuning <- NULL
  } else if (inherits(fit, "statlearn_linear_regression")) {
    td <- if (is.null(x) && is.null(y)) training_data(fit, parent.frame())
          else list(x = check_x(x, "x"), y = check_y(y, nrow(as.matrix(x))))
    x <- as.matrix(td$x)
    y <- td$y
    check_unit_weights(fit$weights)
    refit <- refit_linear_regression(x, fit$intercept)
    tuning <- NULL
  } else if (inherits(fit, "statlearn_path")) {
    if (!identical(fit$family %||% "gaussian", "gaussian")) {
      abort_input("fit", "a Gaussian (regression) fit", sprintf("family \"%s\"", fit$family),
                  class = "statlearn_error_unsupported")
    }
    td <- training_data(fit, parent.frame(), x, y)
    x <- as.matrix(td$x)
    y <- td$y
    check_unit_weights(fit$weights)
    refit <- if (inherits(fit, "statlearn_elastic_net")) refit_elastic_net(x, fit$options, fit$lambda)
             else refit_path(fit, x)
    tuning <- fit$tuning
  } else {
    abort(sprintf("effective_df() needs a regression fit or a function(x, y); got %s.", class(fit)[1L]),
          class = c("statlearn_error_unsupported", "statlearn_error_input"))
  }
  n <- nrow(x)
  if (is.null(mean) || is.null(sigma)) {
    lb <- stats::lm.fit(cbind(1, x), y)
    if (n - lb$rank <= 0 && is.null(sigma)) {
      abort_input("sigma", "given when the least-squares fit on all inputs leaves no residual df",
                  "NULL", class = "statlearn_error_df")
    }
    if (is.null(mean)) mean <- lb$fitted.values
    if (is.null(sigma)) sigma <- sqrt(sum(lb$residuals^2) / (n - lb$rank))
  }
  sigma <- check_number(sigma, "sigma", 0, Inf, lower_open = TRUE, upper_open = TRUE)
  if (!is.numeric(mean) || length(mean) != n || anyNA(mean)) {
    abort_input("mean", sprintf("a numeric vector of length %d", n), describe(mean),
                class = "statlearn_error_length")
  }
  mean <- as.double(mean)
  # The noise is drawn here, from R's RNG, so set.seed() fixes the result
  # whatever future plan runs the refits.
  eps <- matrix(stats::rnorm(n * B), n, B)
  fits <- run_replicates(B, simulation_replicate(refit, mean, sigma, eps),
                         sprintf("simulation %d", seq_len(B)))
  G <- ncol(fits[[1L]])
  yhat <- array(unlist(fits), c(n, G, B))
  ybar <- apply(yhat, c(1L, 2L), base::mean)
  D <- vapply(seq_len(B), function(b) colSums((yhat[, , b] - ybar) * eps[, b]), numeric(G))
  D <- matrix(D, G) * B / (B - 1) / sigma
  tab <- data.frame(df = rowMeans(D), se = apply(D, 1L, stats::sd) / sqrt(B), row.names = NULL)
  if (!is.null(tuning) && length(tuning) == G) {
    tab <- cbind(stats::setNames(data.frame(tuning), fit$tuning_name), tab)
  }
  structure(tab, sigma = sigma, B = B)
}

# The closures sent to the workers: each is made in a small function so that
# its environment holds only what the refit needs (not the caller's frame
# with the training data, the low-bias fit and the like).
simulation_replicate <- function(refit, mean, sigma, eps) {
  force(refit)
  force(mean)
  force(sigma)
  force(eps)
  function(b) refit(mean + sigma * eps[, b])
}

refit_function <- function(fun, x) {
  force(fun)
  force(x)
  function(ys) as.matrix(fun(x, ys))
}

refit_linear_regression <- function(x, intercept) {
  force(x)
  force(intercept)
  function(ys) as.matrix(fit_linear_regression(x, ys, NULL, intercept, "qr", 1L)$fitted.values)
}

refit_elastic_net <- function(x, opt, lambda) {
  force(x)
  force(opt)
  force(lambda)
  function(ys) {
    f <- fit_elastic_net(x, ys, alpha = opt$alpha, family = "gaussian", lambda = lambda,
                         penalty_factor = opt$penalty_factor, lower = opt$lower, upper = opt$upper,
                         standardize = opt$standardize, intercept = opt$intercept,
                         thresh = opt$thresh, maxit = opt$maxit, threads = 1L)
    B <- path_coef(f, seq_along(f$lambda))
    out <- x %*% B[-1L, , drop = FALSE] + rep(B[1L, ], each = nrow(x))
    # A refit path that stops early keeps its last model.
    out[, pmin(seq_along(lambda), ncol(out)), drop = FALSE]
  }
}

refit_path <- function(fit, x) {
  force(fit)
  force(x)
  w1 <- rep(1, nrow(x))
  function(ys) as.matrix(cv_fold_predict(fit, x, ys, w1, x, 1L))
}

check_unit_weights <- function(w) {
  if (!is.null(w) && any(w != w[1L])) {
    abort_input("fit", "a fit without observation weights", "a weighted fit",
                class = "statlearn_error_unsupported")
  }
}
