# ESL chapter 8: Bayesian inference. Bayesian linear smoothing with a Gaussian
# prior (8.3) and the Gibbs sampler for a Gaussian mixture (8.6, engine in
# inst/include/statlearn/cluster/gibbs_mixture.h through src/glue-inference.cpp).

#' Bayesian linear regression with a Gaussian prior
#'
#' The Bayesian smoother of ESL 8.3: the regression function \eqn{\mu(x) =
#' h(x)^T\beta} on a basis \eqn{h} (such as a B-spline basis in the formula,
#' `y ~ bspline_basis(x, df = 7, intercept = TRUE) - 1`), Gaussian errors of
#' variance \eqn{\sigma^2}, and the Gaussian prior \eqn{\beta \sim N(0,
#' \tau\Sigma)} (ESL eq. 8.25). The posterior of \eqn{\beta} is Gaussian
#' (eq. 8.26-8.27) with
#' \deqn{E(\beta \mid Z) = (H^TH + \frac{\sigma^2}{\tau}\Sigma^{-1})^{-1}H^Ty,
#' \qquad \mathrm{cov}(\beta \mid Z) = (H^TH +
#' \frac{\sigma^2}{\tau}\Sigma^{-1})^{-1}\sigma^2,}
#' a ridge-type shrinkage of least squares. As \eqn{\tau \to \infty} the
#' prior becomes non-informative, the posterior mean tends to the
#' least-squares fit and the posterior covariance to \eqn{\sigma^2(H^TH)^{-1}}:
#' the posterior bands become the maximum-likelihood bands of ESL 8.2.2
#' (`prior_variance = Inf` gives that limit exactly when \eqn{H} has full
#' rank).
#'
#' The prior applies to every column of the design, the intercept column
#' included when the model has one (the book's basis has no separate
#' intercept: write `- 1` in the formula and `intercept = TRUE` in the basis).
#' The noise variance is taken as known: by default it is estimated by
#' \eqn{\hat\sigma^2 = RSS/(N - p)} from the least-squares residuals on the
#' same design (the `sigma^2` of [linear_regression()]); the book's ML
#' estimate divides by \eqn{N} instead (give it as `noise_variance`).
#'
#' @param x A numeric matrix (or data frame) of basis functions \eqn{h(x)}, or
#'   a formula such as `y ~ bspline_basis(x, df = 7)`.
#' @param y The numeric response.
#' @param data,subset,na.action As for [stats::lm()].
#' @param prior_variance The prior scale \eqn{\tau > 0} (`Inf`: the flat
#'   prior, least squares).
#' @param prior_covariance The prior correlation matrix \eqn{\Sigma} (p x p,
#'   symmetric positive definite, p the number of columns of the design with
#'   the intercept); `NULL` for the identity.
#' @param noise_variance The error variance \eqn{\sigma^2}; `NULL` to
#'   estimate it from the least-squares residuals (RSS / (N - p)).
#' @param intercept Add a column of ones (for `x` given as a matrix)? It gets
#'   the prior too.
#' @param formula A formula `response ~ terms`.
#' @param ... Unused.
#' @return An object of class `c("statlearn_bayesian_linear_regression",
#'   "statlearn_model")`: `coefficients` (the posterior mean), `covariance`
#'   (the posterior covariance), `fitted.values`, `residuals`,
#'   `prior_variance`, `prior_covariance`, `noise_variance`,
#'   `noise_estimated`, `least_squares` (the least-squares coefficients, or
#'   `NULL` if \eqn{H} is rank deficient), `intercept`, `xnames`, `nobs`.
#'   Methods: `predict()` (with `se.fit` and credible intervals), `coef()`,
#'   `vcov()`, `fitted()`, `residuals()`, `print()`; [posterior_draws()] draws
#'   curves from the posterior or the prior.
#' @references Hastie, Tibshirani and Friedman (2009), section 8.3, equations
#'   8.25-8.28 and Figures 8.3-8.4.
#' @family chapter 8
#' @export
#' @examples
#' set.seed(1)
#' d <- data.frame(x = sort(runif(50, 0, 3)))
#' d$y <- sin(2 * d$x) + d$x / 2 + rnorm(50, sd = 0.4)
#' fit <- bayesian_linear_regression(y ~ bspline_basis(x, df = 7, intercept = TRUE) - 1,
#'                                   data = d, prior_variance = 1)
#' fit
#' grid <- data.frame(x = seq(0, 3, length.out = 5))
#' predict(fit, grid, se.fit = TRUE)
#' posterior_draws(fit, grid, draws = 3)
bayesian_linear_regression <- function(x, ...) UseMethod("bayesian_linear_regression")

#' @rdname bayesian_linear_regression
#' @export
bayesian_linear_regression.default <- function(x, y, prior_variance = 1, prior_covariance = NULL,
                                               noise_variance = NULL, intercept = FALSE, ...) {
  check_dots(..., fun = "bayesian_linear_regression")
  x <- check_x(x, "x")
  intercept <- check_flag(intercept, "intercept")
  y <- check_y(y, nrow(x), "y")
  h <- if (intercept) cbind(`(Intercept)` = 1, x) else x
  fit <- fit_bayesian_linear_regression(h, y, prior_variance, prior_covariance, noise_variance)
  fit$intercept <- intercept
  fit$xnames <- colnames(x)
  fit$call <- match.call()
  fit
}

#' @rdname bayesian_linear_regression
#' @export
bayesian_linear_regression.formula <- function(formula, data, subset, na.action, prior_variance = 1,
                                               prior_covariance = NULL, noise_variance = NULL, ...) {
  check_dots(..., fun = "bayesian_linear_regression")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  if (!is.null(des$weights)) {
    abort_input("weights", "not given (bayesian_linear_regression() has no weights)", "weights",
                class = "statlearn_error_argument")
  }
  x <- des$x
  if (ncol(x) == 0L && !des$intercept) {
    abort_input("formula", "at least one term", "an empty model", class = "statlearn_error_formula")
  }
  y <- check_y(des$y, nrow(x), "y")
  h <- if (des$intercept) cbind(`(Intercept)` = 1, x) else x
  fit <- fit_bayesian_linear_regression(h, y, prior_variance, prior_covariance, noise_variance)
  fit$intercept <- des$intercept
  fit$xnames <- colnames(x)
  add_formula_info(fit, des, call)
}

# h: the full design (intercept column included), y checked.
fit_bayesian_linear_regression <- function(h, y, prior_variance, prior_covariance, noise_variance) {
  n <- nrow(h)
  p <- ncol(h)
  tau <- check_number(prior_variance, "prior_variance", lower = 0, lower_open = TRUE)
  S <- check_prior_covariance(prior_covariance, p, colnames(h))
  hth <- crossprod(h)
  hty <- drop(crossprod(h, y))
  ls <- tryCatch({
    qx <- qr(h)
    if (qx$rank < p) NULL else stats::setNames(qr.coef(qx, y), colnames(h))
  }, error = function(e) NULL)
  estimated <- is.null(noise_variance)
  if (estimated) {
    if (is.null(ls) || n <= p) {
      abort_input("noise_variance", sprintf(paste(
        "given when least squares cannot estimate it (the design has %d rows and %d columns%s)"),
        n, p, if (is.null(ls)) ", rank deficient" else ""), "NULL",
        class = "statlearn_error_argument")
    }
    noise_variance <- sum((y - drop(h %*% ls))^2) / (n - p)
    if (!(noise_variance > 0)) {
      abort_input("noise_variance", "given: the least-squares residuals are all zero", "NULL",
                  class = "statlearn_error_argument")
    }
  } else {
    noise_variance <- check_positive(noise_variance, "noise_variance")
  }
  # A = H'H + (sigma^2 / tau) Sigma^{-1}; posterior mean A^{-1} H'y, covariance sigma^2 A^{-1}
  A <- hth
  if (is.finite(tau)) A <- A + (noise_variance / tau) * chol2inv(chol(S))
  R <- if (!is.finite(tau) && is.null(ls)) NULL else tryCatch(chol(A), error = function(e) NULL)
  if (is.null(R)) {
    abort(paste("The posterior precision H'H + (sigma^2 / tau) Sigma^-1 is singular",
                "(a rank-deficient design with prior_variance = Inf); use a finite `prior_variance`."),
          class = c("statlearn_error_singular", "statlearn_error_input"))
  }
  Ainv <- chol2inv(R)
  beta <- drop(backsolve(R, forwardsolve(t(R), hty)))
  names(beta) <- colnames(h)
  cv <- noise_variance * Ainv
  dimnames(cv) <- list(colnames(h), colnames(h))
  fitted <- drop(h %*% beta)
  names(fitted) <- rownames(h)
  structure(list(
    coefficients = beta, covariance = cv, fitted.values = fitted,
    residuals = stats::setNames(y - fitted, rownames(h)), prior_variance = tau,
    prior_covariance = S, noise_variance = noise_variance, noise_estimated = estimated,
    least_squares = ls, nobs = n, y = y
  ), class = c("statlearn_bayesian_linear_regression", "statlearn_model"))
}

check_prior_covariance <- function(S, p, names) {
  if (is.null(S)) return(diag(p))
  if (!is.numeric(S) || !is.matrix(S) || !identical(dim(S), c(as.integer(p), as.integer(p)))) {
    abort_input("prior_covariance", sprintf("a %d x %d matrix (one row per design column%s)", p, p,
                                            if ("(Intercept)" %in% names) ", the intercept included"
                                            else ""),
                describe(S), class = "statlearn_error_dimension")
  }
  check_finite_values(S, "prior_covariance")
  if (max(abs(S - t(S))) > 1e-10 * max(1, max(abs(S))) ||
      is.null(tryCatch(chol(S), error = function(e) NULL))) {
    abort_input("prior_covariance", "a symmetric positive definite matrix", "one that is not",
                class = "statlearn_error_range")
  }
  unname(S)
}

# Full design (intercept column included) at new data.
bayes_design <- function(object, newdata) {
  x <- new_design(object, newdata)
  if (object$intercept) cbind(`(Intercept)` = 1, x) else x
}

#' Predictions from a Bayesian linear regression
#'
#' The posterior mean of \eqn{\mu(x) = h(x)^T\beta} at new points, with its
#' posterior standard deviation \eqn{(h(x)^T V h(x))^{1/2}} (V the posterior
#' covariance) and pointwise credible intervals
#' \eqn{E \pm z_{(1+level)/2}\,sd} (the posterior is Gaussian).
#'
#' @param object A [bayesian_linear_regression()] fit.
#' @param newdata New data (a data frame for formula fits, else a matrix);
#'   missing: the training points.
#' @param se.fit Also return the posterior standard deviations?
#' @param interval `"none"` or `"credible"`.
#' @param level Probability of the credible intervals.
#' @param ... Unused.
#' @return A vector; with `se.fit = TRUE` a list with `fit` and `se.fit`;
#'   with `interval = "credible"` a matrix with columns `fit`, `lwr`, `upr`.
#' @family chapter 8
#' @export
#' @examples
#' set.seed(1)
#' d <- data.frame(x = runif(40, 0, 3))
#' d$y <- sin(2 * d$x) + rnorm(40, sd = 0.3)
#' fit <- bayesian_linear_regression(y ~ bspline_basis(x, df = 6), data = d, prior_variance = 10)
#' predict(fit, data.frame(x = c(0.5, 1.5)), interval = "credible")
predict.statlearn_bayesian_linear_regression <- function(object, newdata, se.fit = FALSE,
                                                         interval = c("none", "credible"),
                                                         level = 0.95, ...) {
  check_dots(..., fun = "predict")
  se.fit <- check_flag(se.fit, "se.fit")
  interval <- check_choice(interval, c("none", "credible"), "interval")
  level <- check_number(level, "level", 0, 1, lower_open = TRUE, upper_open = TRUE)
  if (missing(newdata) || is.null(newdata)) {
    if (!se.fit && interval == "none") return(object$fitted.values)
    abort_input("newdata", "the points at which to predict (needed for standard errors)", "nothing",
                class = "statlearn_error_missing")
  }
  h <- bayes_design(object, newdata)
  fit <- drop(h %*% object$coefficients)
  names(fit) <- rownames(h)
  if (!se.fit && interval == "none") return(fit)
  se <- sqrt(pmax(rowSums((h %*% object$covariance) * h), 0))
  names(se) <- rownames(h)
  if (interval == "credible") {
    q <- stats::qnorm((1 + level) / 2)
    out <- cbind(fit = fit, lwr = fit - q * se, upr = fit + q * se)
    return(if (se.fit) list(fit = out, se.fit = se) else out)
  }
  list(fit = fit, se.fit = se)
}

#' Draws of the regression function from the posterior or the prior
#'
#' Draws coefficient vectors \eqn{\beta} from the Gaussian posterior of a
#' [bayesian_linear_regression()] fit (or, with `prior = TRUE`, from its
#' prior \eqn{N(0, \tau\Sigma)}) and evaluates the curves \eqn{h(x)^T\beta}
#' at `newdata`: ESL Figure 8.3 (prior) and Figure 8.4 (posterior). The draws
#' use R's normal generator, so `set.seed()` reproduces them.
#'
#' @param object A [bayesian_linear_regression()] fit.
#' @param newdata Points at which to evaluate the curves (missing: the
#'   training points).
#' @param draws Number of curves.
#' @param prior Draw from the prior instead of the posterior?
#' @param ... Unused.
#' @return A matrix with one row per point of `newdata` and one column per
#'   draw, with the drawn coefficients (p x draws) in attribute
#'   `"coefficients"`.
#' @family chapter 8
#' @export
#' @examples
#' set.seed(1)
#' d <- data.frame(x = runif(40, 0, 3))
#' d$y <- sin(2 * d$x) + rnorm(40, sd = 0.3)
#' fit <- bayesian_linear_regression(y ~ bspline_basis(x, df = 6), data = d)
#' curves <- posterior_draws(fit, data.frame(x = seq(0, 3, by = 0.5)), draws = 4)
#' round(curves, 2)
posterior_draws <- function(object, newdata, draws = 10, prior = FALSE, ...) {
  check_dots(..., fun = "posterior_draws")
  if (!inherits(object, "statlearn_bayesian_linear_regression")) {
    abort_input("object", "a bayesian_linear_regression() fit", describe(object),
                class = "statlearn_error_type")
  }
  draws <- check_count(draws, "draws", lower = 1, upper = 1e7)
  prior <- check_flag(prior, "prior")
  p <- length(object$coefficients)
  if (prior) {
    if (!is.finite(object$prior_variance)) {
      abort_input("prior", "FALSE for a flat prior (prior_variance = Inf cannot be drawn from)",
                  "TRUE", class = "statlearn_error_argument")
    }
    V <- object$prior_variance * object$prior_covariance
    m <- rep(0, p)
  } else {
    V <- object$covariance
    m <- object$coefficients
  }
  R <- chol(V)
  Z <- matrix(stats::rnorm(p * draws), p, draws)
  B <- m + crossprod(R, Z)
  rownames(B) <- names(object$coefficients)
  if (missing(newdata) || is.null(newdata)) {
    abort_input("newdata", "the points at which to evaluate the curves", "nothing",
                class = "statlearn_error_missing")
  }
  h <- bayes_design(object, newdata)
  out <- h %*% B
  dimnames(out) <- list(rownames(h), NULL)
  attr(out, "coefficients") <- B
  out
}

#' @export
coef.statlearn_bayesian_linear_regression <- function(object, ...) object$coefficients

#' @export
vcov.statlearn_bayesian_linear_regression <- function(object, ...) object$covariance

#' @export
print.statlearn_bayesian_linear_regression <- function(x, digits = max(3L, getOption("digits") - 3L),
                                                       ...) {
  cat("Bayesian linear regression with a Gaussian prior beta ~ N(0, tau Sigma)\n")
  cat(sprintf("n = %d, p = %d; tau = %s; Sigma %s; noise variance %s%s\n", x$nobs,
              length(x$coefficients), format(x$prior_variance),
              if (isTRUE(all.equal(x$prior_covariance, diag(length(x$coefficients))))) "= I"
              else "given", format(signif(x$noise_variance, digits + 2L)),
              if (x$noise_estimated) " (RSS / (N - p) from least squares)" else " (given)"))
  cat("\nPosterior mean and standard deviation of the coefficients:\n")
  print(signif(cbind(mean = x$coefficients, sd = sqrt(diag(x$covariance))), digits))
  invisible(x)
}

#' Gibbs sampling for a Gaussian mixture
#'
#' ESL Algorithm 8.4 (section 8.6): the Gibbs sampler for a mixture of \eqn{G}
#' univariate Gaussians with known variances. Each sweep draws every latent
#' label \eqn{\Delta_i} from its conditional distribution given the means,
#' which is EM's responsibility \eqn{\hat\gamma_i} (ESL eq. 8.42), then each
#' mean from its conditional distribution given the labels. As in the book,
#' the variances (and, by default, the proportions) are fixed, for instance at
#' their maximum-likelihood values from [gaussian_mixture()], and the means
#' have a flat prior: then \eqn{\mu_k \mid \Delta, y \sim N(\bar y_k,
#' \sigma_k^2 / N_k)}, the mean and \eqn{N_k} of the points labelled \eqn{k}
#' (a component with no points keeps its mean for that sweep; the number of
#' such sweeps is in `empty`). Note that the book's Algorithm 8.4 writes the
#' variance of this draw as \eqn{\hat\sigma_k^2}; the conditional
#' distribution under the flat prior has variance \eqn{\sigma_k^2/N_k}, which
#' is what is drawn here.
#'
#' Generalisations: a normal prior \eqn{N(m_0, v_0)} on each mean (`prior =
#' list(mean = , mean_variance = )`: conjugate, the conditional is normal with
#' precision \eqn{1/v_0 + N_k/\sigma_k^2}), and a Dirichlet\eqn{(\alpha)}
#' prior on the proportions (`prior = list(dirichlet = alpha)`), which are
#' then drawn from Dirichlet\eqn{(\alpha + N)} in each sweep instead of fixed.
#'
#' Several chains run in parallel, chain \eqn{c} on its own random stream
#' derived from `seed` and \eqn{c}, so the draws do not depend on the number
#' of threads and `set.seed()` reproduces them. Without `start`, each chain
#' starts from \eqn{G} distinct data values (sorted, so component 1 starts
#' lowest) drawn from its stream.
#'
#' @param x A numeric vector (or one-column matrix) of observations.
#' @param components The number of components \eqn{G}.
#' @param iterations Number of Gibbs sweeps per chain.
#' @param burn_in Number of first sweeps discarded.
#' @param variances The fixed component variances (one number, or \eqn{G}).
#' @param proportions The mixing proportions (fixed, or the start when a
#'   Dirichlet prior is given); `NULL` for \eqn{1/G} each.
#' @param prior A list with any of `mean` and `mean_variance` (the normal
#'   prior of the means; `mean_variance = Inf`, the default, is the flat
#'   prior) and `dirichlet` (the Dirichlet parameters, one number or \eqn{G};
#'   `NULL`, the default, keeps the proportions fixed).
#' @param start Starting means: \eqn{G} numbers (the same for every chain) or
#'   a G x chains matrix; `NULL` for random data values.
#' @param chains Number of independent chains.
#' @inheritParams statlearn-params
#' @param ... Unused.
#' @return An object of class `c("statlearn_gibbs_mixture",
#'   "statlearn_model")`: `means`, `proportions` and `counts` (the number of
#'   points labelled \eqn{k}), each an array draws x G x chains; `empty`
#'   (per chain), `variances`, `prior`, `iterations`, `burn_in`, `chains`,
#'   `components`, `nobs`, `seed`. Methods: `print()`, `summary()`
#'   (posterior means, standard deviations and quantiles pooled over
#'   chains), `plot()` (trace plots, ESL Figure 8.8).
#' @references Hastie, Tibshirani and Friedman (2009), section 8.6, Algorithm
#'   8.4, Figure 8.8. Geman and Geman (1984); Gelfand and Smith (1990),
#'   Sampling-based approaches to calculating marginal densities, *JASA* 85,
#'   398-409.
#' @family chapter 8
#' @export
#' @examples
#' set.seed(1)
#' y <- c(rnorm(40, 1), rnorm(60, 4.5))
#' g <- gibbs_mixture(y, 2, iterations = 200, variances = c(1, 1),
#'                    proportions = c(0.4, 0.6), threads = 1)
#' g
#' summary(g)
#' plot(g)
gibbs_mixture <- function(x, components = 2, iterations = 200, burn_in = 0, variances,
                          proportions = NULL, prior = list(), start = NULL, chains = 1,
                          seed = NULL, threads = NULL, ...) {
  check_dots(..., fun = "gibbs_mixture")
  y <- check_x(x, "x")
  if (ncol(y) != 1L) {
    abort_input("x", "one variable (a numeric vector or a one-column matrix)",
                sprintf("%d columns", ncol(y)), class = "statlearn_error_dimension")
  }
  y <- drop(y)
  n <- length(y)
  G <- check_count(components, "components", lower = 1, upper = n)
  iterations <- check_count(iterations, "iterations", lower = 1, upper = 1e8)
  burn_in <- check_count(burn_in, "burn_in", lower = 0, upper = iterations - 1)
  chains <- check_count(chains, "chains", lower = 1, upper = 1e5)
  if (missing(variances)) {
    abort_input("variances", sprintf(
      "the %d fixed component variances (for example the EM estimates of gaussian_mixture())", G),
      "nothing", class = "statlearn_error_missing")
  }
  variances <- gibbs_vector(variances, G, "variances", positive = TRUE)
  proportions <- if (is.null(proportions)) rep(1 / G, G) else
    gibbs_vector(proportions, G, "proportions", positive = TRUE, recycle = FALSE)
  proportions <- proportions / sum(proportions)
  if (!is.list(prior) || (length(prior) > 0L &&
                          (is.null(names(prior)) ||
                           !all(names(prior) %in% c("mean", "mean_variance", "dirichlet"))))) {
    abort_input("prior", "a list with elements among 'mean', 'mean_variance' and 'dirichlet'",
                if (is.list(prior)) sprintf("elements %s", paste0("'", names(prior), "'", collapse = ", "))
                else describe(prior), class = "statlearn_error_argument")
  }
  pm <- if (is.null(prior$mean)) rep(0, G) else gibbs_vector(prior$mean, G, "prior$mean")
  pv <- if (is.null(prior$mean_variance)) rep(Inf, G) else
    gibbs_vector(prior$mean_variance, G, "prior$mean_variance", positive = TRUE, finite = FALSE)
  alpha <- if (is.null(prior$dirichlet)) numeric(0) else
    gibbs_vector(prior$dirichlet, G, "prior$dirichlet", positive = TRUE)
  if (is.null(start)) {
    if (G > n) abort_input("components", sprintf("at most %d (the number of points)", n), G,
                           class = "statlearn_error_range")
    st <- matrix(0, 0, 0)
  } else {
    st <- if (is.matrix(start)) start else if (length(start) == G) matrix(start, G, chains) else NULL
    if (!is.numeric(st) || !identical(dim(st), c(G, chains))) {
      abort_input("start", sprintf("%d starting means, or a %d x %d matrix (components x chains)",
                                   G, G, chains), describe(start), class = "statlearn_error_dimension")
    }
    check_finite_values(st, "start")
    storage.mode(st) <- "double"
  }
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  r <- cpp_gibbs_mixture(y, G, iterations, burn_in, variances, proportions, alpha, pm, pv, st,
                         chains, seed, threads)
  labels <- as.character(seq_len(G))
  dn <- list(NULL, labels, paste0("chain", seq_len(chains)))
  dimnames(r$means) <- dn
  dimnames(r$proportions) <- dn
  dimnames(r$counts) <- dn
  structure(list(
    means = r$means, proportions = r$proportions, counts = r$counts, empty = r$empty,
    variances = stats::setNames(variances, labels),
    start_proportions = stats::setNames(proportions, labels),
    prior = list(mean = pm, mean_variance = pv, dirichlet = if (length(alpha)) alpha else NULL),
    fixed_proportions = length(alpha) == 0L, iterations = iterations, burn_in = burn_in,
    chains = chains, components = G, nobs = n, seed = seed, call = match.call()
  ), class = c("statlearn_gibbs_mixture", "statlearn_model"))
}

gibbs_vector <- function(v, G, arg, positive = FALSE, recycle = TRUE, finite = TRUE) {
  ok_len <- length(v) == G || (recycle && length(v) == 1L)
  if (!is.numeric(v) || !is.null(dim(v)) || !ok_len || anyNA(v)) {
    abort_input(arg, sprintf("%s%d numbers", if (recycle) "one number or " else "", G), describe(v),
                class = if (is.numeric(v)) "statlearn_error_length" else "statlearn_error_type")
  }
  if ((finite && any(!is.finite(v))) || (positive && any(v <= 0))) {
    abort_input(arg, sprintf("%s%s numbers", if (finite) "finite " else "",
                             if (positive) "positive" else "real"),
                paste(format(v), collapse = ", "), class = "statlearn_error_range")
  }
  rep_len(as.double(v), G)
}

# Draws of one quantity pooled over chains: a (draws * chains) x G matrix.
gibbs_pool <- function(a) {
  d <- dim(a)
  m <- matrix(aperm(a, c(1L, 3L, 2L)), d[1L] * d[3L], d[2L])
  colnames(m) <- dimnames(a)[[2L]]
  m
}

#' @export
print.statlearn_gibbs_mixture <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Gibbs sampler for a %d-component Gaussian mixture (ESL Algorithm 8.4)\n",
              x$components))
  cat(sprintf("n = %d; %d chain(s) of %d sweeps, %d burn-in; variances fixed at %s; %s\n", x$nobs,
              x$chains, x$iterations, x$burn_in, paste(format(signif(x$variances, digits)), collapse = ", "),
              if (x$fixed_proportions) sprintf("proportions fixed at %s",
                                               paste(format(signif(x$start_proportions, digits)),
                                                     collapse = ", "))
              else "Dirichlet prior on the proportions"))
  mu <- gibbs_pool(x$means)
  cat("\nPosterior mean (sd) of the component means:\n")
  print(signif(rbind(mean = colMeans(mu), sd = apply(mu, 2L, stats::sd)), digits))
  invisible(x)
}

#' @export
summary.statlearn_gibbs_mixture <- function(object, probs = c(0.025, 0.5, 0.975), ...) {
  check_dots(..., fun = "summary")
  one <- function(a, what) {
    m <- gibbs_pool(a)
    q <- t(apply(m, 2L, stats::quantile, probs = probs, names = TRUE))
    data.frame(parameter = sprintf("%s[%s]", what, colnames(m)), mean = colMeans(m),
               sd = apply(m, 2L, stats::sd), q, check.names = FALSE, row.names = NULL)
  }
  tab <- rbind(one(object$means, "mu"),
               if (!object$fixed_proportions) one(object$proportions, "pi"),
               one(object$counts / object$nobs, "fraction"))
  structure(list(table = tab, draws = dim(object$means)[1L], chains = object$chains,
                 empty = sum(object$empty), fixed_proportions = object$fixed_proportions),
            class = "summary.statlearn_gibbs_mixture")
}

#' @export
print.summary.statlearn_gibbs_mixture <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Gibbs sampler: %d draws x %d chain(s), pooled\n", x$draws, x$chains))
  cat("mu: component means; fraction: share of points labelled k in a sweep",
      if (!x$fixed_proportions) "; pi: proportions" else "", "\n\n", sep = "")
  print(format(x$table, digits = digits), row.names = FALSE)
  if (x$empty > 0) cat(sprintf("\n%d sweep(s) left a component without points.\n", x$empty))
  invisible(x)
}

#' Trace plots of a Gibbs sampler
#'
#' ESL Figure 8.8: the draws of the component means against the iteration
#' (left) and the share of points labelled with component `which` (right),
#' for the first chain (or those given), with optional reference lines such
#' as the EM estimates.
#'
#' @param x A [gibbs_mixture()] fit.
#' @param chains The chains to draw.
#' @param which The component whose share of labels is drawn on the right.
#' @param reference `NULL`, or a [gaussian_mixture()] fit whose means and
#'   proportion of component `which` are drawn as horizontal lines, or a list
#'   `list(means = , fraction = )`.
#' @param ... Unused.
#' @return `x`, invisibly.
#' @family chapter 8
#' @export
#' @examples
#' set.seed(1)
#' y <- c(rnorm(40, 1), rnorm(60, 4.5))
#' g <- gibbs_mixture(y, 2, variances = 1, proportions = c(0.4, 0.6), threads = 1)
#' plot(g, reference = list(means = c(1, 4.5), fraction = 0.6))
plot.statlearn_gibbs_mixture <- function(x, chains = 1L, which = x$components, reference = NULL,
                                         ...) {
  check_dots(..., fun = "plot")
  if (!is.numeric(chains) || any(!chains %in% seq_len(x$chains))) {
    abort_input("chains", sprintf("chain numbers in 1..%d", x$chains), describe(chains),
                class = "statlearn_error_range")
  }
  which <- check_count(which, "which", lower = 1, upper = x$components)
  if (inherits(reference, "statlearn_gaussian_mixture")) {
    reference <- list(means = reference$means[, 1L], fraction = reference$proportions[which])
  }
  it <- x$burn_in + seq_len(dim(x$means)[1L])
  col <- class_colours(x$components)
  op <- graphics::par(mfrow = c(1L, 2L), mar = c(4.2, 4.2, 1.5, 0.8))
  on.exit(graphics::par(op))
  mu <- x$means[, , chains, drop = FALSE]
  graphics::plot(range(it), range(mu, reference$means), type = "n", xlab = "Gibbs Iteration",
                 ylab = "Mean Parameters")
  for (c in seq_along(chains)) for (k in seq_len(x$components)) {
    graphics::lines(it, mu[, k, c], col = col[k])
  }
  if (!is.null(reference$means)) graphics::abline(h = reference$means, lty = 2, col = "grey30")
  ref <- !is.null(reference$means)
  graphics::legend("right", legend = c(sprintf("mu[%d]", seq_len(x$components)),
                                       if (ref) "reference"),
                   col = c(col, if (ref) "grey30"), lty = c(rep(1, x$components), if (ref) 2),
                   bty = "n", cex = 0.8)
  fr <- x$counts[, which, chains, drop = FALSE] / x$nobs
  graphics::plot(range(it), range(0, 1), type = "n", xlab = "Gibbs Iteration",
                 ylab = "Mixing Proportion")
  for (c in seq_along(chains)) graphics::lines(it, fr[, 1L, c], col = col[which])
  if (!is.null(reference$fraction)) graphics::abline(h = reference$fraction, lty = 2, col = "grey30")
  invisible(x)
}
