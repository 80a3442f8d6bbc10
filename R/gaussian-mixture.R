# Gaussian mixtures by EM (ESL 8.5, 13.2.3, 14.3.7). The engine is
# inst/include/statlearn/cluster/gaussian_mixture.h through
# src/glue-mixture.cpp.

# The six covariance families: shape and sharing, and mclust's names for them.
mixture_families <- data.frame(
  name = c("VVV", "EEE", "VVI", "EEI", "VII", "EII"),
  covariance = c("full", "full", "diagonal", "diagonal", "spherical", "spherical"),
  shared = c(FALSE, TRUE, FALSE, TRUE, FALSE, TRUE),
  stringsAsFactors = FALSE
)

mixture_model_name <- function(covariance, shared) {
  mixture_families$name[mixture_families$covariance == covariance & mixture_families$shared == shared]
}

# Number of free parameters: G - 1 proportions, G p means and the covariances.
mixture_df <- function(G, p, covariance, shared) {
  per <- switch(covariance, full = p * (p + 1) / 2, diagonal = p, spherical = 1)
  (G - 1) + G * p + if (shared) per else G * per
}

mixture_description <- function(covariance, shared) {
  sprintf("%s covariances, %s (mclust %s)", covariance,
          if (shared) "equal across components" else "varying by component",
          mixture_model_name(covariance, shared))
}

#' Gaussian mixtures by EM
#'
#' Fits the mixture density \eqn{f(x) = \sum_{k=1}^G \pi_k \phi(x; \mu_k,
#' \Sigma_k)} to the rows of `x` by maximum likelihood with the EM algorithm
#' (ESL 8.5 for two components, 14.3.7 and 13.2.3 as "soft" k-means; Ng's CS229
#' notes). The E-step gives every point its responsibilities
#' \eqn{\gamma_{ik} = \pi_k \phi(x_i; \mu_k, \Sigma_k) / f(x_i)}; the M-step
#' sets \eqn{\pi_k}, \eqn{\mu_k} and \eqn{\Sigma_k} to the weighted
#' proportions, means and covariances (divisor \eqn{N_k = \sum_i
#' \gamma_{ik}}). Several numbers of components can be fitted at once and one
#' chosen by BIC.
#'
#' **Covariance families.** `covariance` gives the shape of each
#' \eqn{\Sigma_k} and `shared` whether all components have the same one:
#' \tabular{llll}{
#'   `covariance` \tab `shared` \tab \eqn{\Sigma_k} \tab mclust \cr
#'   `"full"` \tab `FALSE` \tab any, per component \tab `VVV` \cr
#'   `"full"` \tab `TRUE` \tab any, one for all \tab `EEE` \cr
#'   `"diagonal"` \tab `FALSE` \tab diagonal, per component \tab `VVI` \cr
#'   `"diagonal"` \tab `TRUE` \tab diagonal, one for all \tab `EEI` \cr
#'   `"spherical"` \tab `FALSE` \tab \eqn{\sigma_k^2 I} \tab `VII` \cr
#'   `"spherical"` \tab `TRUE` \tab \eqn{\sigma^2 I} (ESL 14.3.7's soft k-means) \tab `EII`
#' }
#' mclust's three-letter names are accepted in `covariance` and set `shared`.
#'
#' **The algorithm.** EM starts with an M-step from starting responsibilities
#' and stops when the log-likelihood \eqn{\ell_t} changes by at most `tol`
#' relative, \eqn{|\ell_t - \ell_{t-1}| / (1 + |\ell_t|) \le} `tol` (the rule
#' and default of [mclust::emControl()], so both stop at the same iteration),
#' or after `max_iter` iterations. The log-likelihood never decreases. Near
#' a poor start (two nearly equal means, say) it can rise so slowly that
#' this rule stops far from the maximum: give a smaller `tol` (or several
#' `starts`) when the fit looks stuck. Without
#' `start`, each of the `starts` starts is a k-means partition (k-means++
#' seeding, then [k_means()]; each start on its own random stream from
#' `seed`) and the start with the largest log-likelihood is kept (mclust starts
#' from a hierarchical clustering instead). With `start`, EM runs once from it:
#' give the same start to mclust's [mclust::me()] and both reach the same
#' optimum.
#'
#' **Singular covariances.** The likelihood is unbounded (a component can
#' shrink onto one point). A start stops when a covariance becomes
#' numerically singular (its Cholesky factor has \eqn{(\min_j L_{jj} / \max_j
#' L_{jj})^2 \le} `.Machine$double.eps`) or a component empties; a number of
#' components for which every start fails gets `NA` in the BIC table with a
#' warning (an error if it is the only one). `regularization` adds a constant
#' to the diagonal of every covariance, which keeps them invertible (a
#' simple ridge, not mclust's conjugate prior).
#'
#' **BIC.** statlearn's BIC is \eqn{-2\ell + d \log n} (as [stats::BIC()]):
#' smaller is better. mclust reports \eqn{2\ell - d \log n} (larger is
#' better), the same number with the other sign; the BIC table shows both.
#' \eqn{d} counts \eqn{G - 1} proportions, \eqn{Gp} means and the covariance
#' parameters of the family.
#'
#' @param x A numeric matrix or data frame of numeric columns (n rows, p
#'   columns).
#' @param components The number of components \eqn{G}, or a vector of them
#'   (such as `1:9`), of which the one with the smallest BIC is kept.
#' @param covariance `"full"`, `"diagonal"` or `"spherical"` (or one of
#'   mclust's names `"VVV"`, `"EEE"`, `"VVI"`, `"EEI"`, `"VII"`, `"EII"`).
#' @param shared Are the covariances equal across components?
#' @param starts Number of k-means starts (ignored with `start` or for
#'   \eqn{G = 1}).
#' @param start `NULL`, or a start for EM (only with a single `components`):
#'   an integer vector of n cluster labels in `1:components`, an n x G
#'   matrix of responsibilities (non-negative; rows are scaled to sum to one),
#'   or starting parameters `list(proportions = , means = , covariances = )`
#'   (`means` a G x p matrix, or a vector of G values when p = 1;
#'   `covariances` a p x p x G array, or `variances`: a vector of G variances
#'   when p = 1). From parameters, one E-step gives the starting
#'   responsibilities, so the first iteration is ESL Algorithm 8.1's first
#'   E-step and M-step (the book's start: two data values as means, both
#'   variances the sample variance, proportions 1/2).
#' @param max_iter Largest number of EM iterations per start.
#' @param tol Relative change of the log-likelihood at which EM stops. `tol =
#'   0` runs `max_iter` iterations (unless the log-likelihood stops changing
#'   exactly) without a convergence warning, to follow EM for a fixed number
#'   of iterations (ESL Table 8.1).
#' @param regularization A non-negative number added to the diagonal of every
#'   covariance.
#' @param trace Keep the parameters after every iteration (in `trace`), to
#'   follow EM as in ESL Table 8.1?
#' @inheritParams statlearn-params
#' @param ... Unused.
#' @return An object of class `c("statlearn_gaussian_mixture",
#'   "statlearn_model")`: `proportions` (G), `means` (G x p), `covariances`
#'   (p x p x G), `responsibilities` (n x G), `cluster` (the component of
#'   largest responsibility), `loglik`, `df`, `bic` (\eqn{-2\ell + d \log n}),
#'   `iterations`, `converged`, `loglik_path` (the log-likelihood after each
#'   iteration), `trace` (with `trace = TRUE`: `proportions`, an iterations x
#'   G matrix, `means`, iterations x G x p, and `covariances`, p x p x G x
#'   iterations: the parameters after each iteration's M-step, whose
#'   log-likelihood is `loglik_path`), `start_loglik` (final log-likelihood of each start),
#'   `bic_table` (one row per value of `components`: `components`, `loglik`,
#'   `df`, `bic`, `mclust_bic`, `iterations`, `converged`), `components`,
#'   `covariance`, `shared`, `model_name` (mclust's), `nobs`, `xnames`.
#'   Methods: [predict()][predict.statlearn_gaussian_mixture], `logLik()`
#'   (so [stats::AIC()] and [stats::BIC()] work), `print()`, `summary()`,
#'   `plot()`.
#' @references Hastie, Tibshirani and Friedman (2009), sections 8.5, 13.2.3
#'   and 14.3.7. Dempster, Laird and Rubin (1977), Maximum likelihood from
#'   incomplete data via the EM algorithm, *JRSS B* 39, 1-38. Fraley and
#'   Raftery (2002), Model-based clustering, discriminant analysis and density
#'   estimation, *JASA* 97, 611-631. Ng, *CS229 lecture notes: mixtures of
#'   Gaussians and the EM algorithm*.
#' @family chapter 13
#' @export
#' @examples
#' set.seed(1)
#' fit <- gaussian_mixture(faithful, components = 1:4, threads = 1)
#' fit
#' fit$bic_table
#' logLik(fit)
#' head(predict(fit, faithful, type = "responsibilities"))
#' plot(fit, data = faithful)
#' # the same model from k-means labels, as a start mclust::me() can share
#' km <- k_means(faithful, 2, seed = 1, threads = 1)
#' gaussian_mixture(faithful, 2, covariance = "VVV", start = km$cluster, threads = 1)
#' # ESL Algorithm 8.1 on one variable, from given parameters, with the trace
#' y <- c(rnorm(30, 1), rnorm(30, 4.5))
#' em <- gaussian_mixture(y, 2, start = list(proportions = c(0.5, 0.5), means = y[1:2] ,
#'                        variances = rep(var(y), 2)), trace = TRUE, threads = 1)
#' em$trace$proportions[1:5, ]
gaussian_mixture <- function(x, components, covariance = "full", shared = FALSE, starts = 1,
                             start = NULL, max_iter = 1000, tol = 1e-5, regularization = 0,
                             trace = FALSE, seed = NULL, threads = NULL, ...) {
  check_dots(..., fun = "gaussian_mixture")
  x <- check_x(x, "x")
  n <- nrow(x)
  p <- ncol(x)
  if (missing(components)) {
    abort_input("components", "the number of components (or a vector of them)", "nothing",
                class = "statlearn_error_missing")
  }
  family <- check_mixture_family(covariance, shared, shared_given = !missing(shared))
  components <- check_components(components, n)
  starts <- check_count(starts, "starts", lower = 1, upper = 1e6)
  max_iter <- check_count(max_iter, "max_iter", lower = 1, upper = 1e8)
  tol <- check_nonnegative(tol, "tol")
  regularization <- check_nonnegative(regularization, "regularization")
  trace <- check_flag(trace, "trace")
  threads <- resolve_threads(threads)
  z0 <- if (is.null(start)) NULL else if (is.list(start) && !is.data.frame(start)) {
    mixture_start_from_parameters(start, components, x, threads)
  } else check_mixture_start(start, components, n)
  seed <- if (is.null(z0) && any(components > 1)) resolve_seed(seed) else if (is.null(seed)) 0 else
    resolve_seed(seed)
  fit <- fit_gaussian_mixture(x, components, family$covariance, family$shared, starts, z0,
                              max_iter, tol, regularization, seed, threads, trace)
  fit$call <- match.call()
  fit
}

# Matrix-only fitter (x a double matrix with column names, arguments checked):
# fits every value of `components`, keeps the one of smallest BIC. For callers
# inside the package (a per-class mixture classifier fits x[rows, ]).
fit_gaussian_mixture <- function(x, components, covariance, shared, starts = 1L, z0 = NULL,
                                 max_iter = 1000L, tol = 1e-5, regularization = 0, seed = 0,
                                 threads = 1L, trace = FALSE) {
  n <- nrow(x)
  p <- ncol(x)
  shape <- match(covariance, c("full", "diagonal", "spherical")) - 1L
  start_mat <- if (is.null(z0)) matrix(0, 0, 0) else z0
  fits <- lapply(components, function(G) {
    cpp_gaussian_mixture(x, as.integer(G), shape, shared, as.integer(starts), start_mat,
                         as.integer(max_iter), tol, regularization, seed, threads, trace)
  })
  ok <- vapply(fits, function(f) f$status == 0L, logical(1))
  loglik <- vapply(fits, function(f) if (f$status == 0L) f$loglik else NA_real_, numeric(1))
  df <- vapply(components, mixture_df, numeric(1), p = p, covariance = covariance, shared = shared)
  bic <- -2 * loglik + df * log(n)
  table <- data.frame(components = as.integer(components), loglik = loglik, df = df, bic = bic,
                      mclust_bic = -bic,
                      iterations = vapply(fits, function(f) as.integer(f$iterations), integer(1)),
                      converged = vapply(fits, function(f) isTRUE(f$converged) && f$status == 0L,
                                         logical(1)))
  why <- function(f) {
    switch(as.character(f$status),
           "1" = sprintf("the covariance of component %d became singular", f$bad_component),
           "2" = sprintf("component %d lost all its points", f$bad_component),
           sprintf("non-finite values appeared in component %d", f$bad_component))
  }
  advice <- paste("use fewer `components`, a more constrained family (`shared = TRUE`,",
                  "\"diagonal\" or \"spherical\"), other starts, or a positive `regularization`")
  if (!any(ok)) {
    f <- fits[[length(fits)]]
    abort(sprintf("gaussian_mixture() failed for %s: %s (with every start); %s.",
                  if (length(components) == 1L) sprintf("G = %d", components)
                  else sprintf("every G in %s", paste(components, collapse = ", ")),
                  why(f), advice),
          class = c("statlearn_error_singular", "statlearn_error_convergence"))
  }
  if (!all(ok)) {
    warn(sprintf("gaussian_mixture() could not fit G = %s (%s); they get NA in `bic_table`. To fit them, %s.",
                 paste(components[!ok], collapse = ", "),
                 paste(vapply(fits[!ok], why, character(1)), collapse = "; "), advice),
         class = "statlearn_warning_singular")
  }
  notconv <- ok & !table$converged & tol > 0  # tol = 0: a fixed number of iterations asked for
  if (any(notconv)) {
    warn(sprintf("gaussian_mixture() did not converge in %d iterations for G = %s; increase `max_iter` (or `tol`).",
                 max_iter, paste(components[notconv], collapse = ", ")),
         class = "statlearn_warning_convergence")
  }
  best <- which(ok)[which.min(bic[ok])]
  f <- fits[[best]]
  G <- components[best]
  xnames <- colnames(x)
  labels <- as.character(seq_len(G))
  proportions <- stats::setNames(f$proportions, labels)
  means <- f$means
  dimnames(means) <- list(labels, xnames)
  covariances <- f$covariances
  dimnames(covariances) <- list(xnames, xnames, labels)
  z <- f$z
  dimnames(z) <- list(rownames(x), labels)
  cluster <- max.col(z, ties.method = "first")
  if (!is.null(rownames(x))) names(cluster) <- rownames(x)
  tr <- if (trace) mixture_trace(f$trace, G, p, labels, xnames) else NULL
  structure(list(
    proportions = proportions, means = means, covariances = covariances, responsibilities = z,
    cluster = cluster, loglik = f$loglik, df = df[best], bic = bic[best],
    iterations = as.integer(f$iterations), converged = f$converged, loglik_path = f$loglik_path,
    trace = tr,
    start_loglik = f$start_loglik, best_start = as.integer(f$best_start), bic_table = table,
    components = as.integer(G), covariance = covariance, shared = shared,
    model_name = mixture_model_name(covariance, shared), starts = if (is.null(z0)) starts else 0L,
    tol = tol, max_iter = max_iter, regularization = regularization, seed = seed,
    xnames = xnames, nobs = n
  ), class = c("statlearn_gaussian_mixture", "statlearn_model"))
}

# The engine's trace (per iteration: G proportions, G x p means, p x p x G
# covariances) as arrays with the iterations first (last for covariances).
mixture_trace <- function(v, G, p, labels, xnames) {
  per <- G + G * p + p * p * G
  it <- length(v) %/% per
  m <- matrix(v, per, it)
  pro <- t(m[seq_len(G), , drop = FALSE])
  dimnames(pro) <- list(NULL, labels)
  mu <- aperm(array(m[G + seq_len(G * p), , drop = FALSE], c(G, p, it)), c(3L, 1L, 2L))
  dimnames(mu) <- list(NULL, labels, xnames)
  cv <- array(m[G + G * p + seq_len(p * p * G), , drop = FALSE], c(p, p, G, it))
  dimnames(cv) <- list(xnames, xnames, labels, NULL)
  list(proportions = pro, means = mu, covariances = cv)
}

# Starting parameters list(proportions, means, covariances | variances):
# checked, then one E-step gives the starting responsibilities (n x G).
mixture_start_from_parameters <- function(start, components, x, threads) {
  if (length(components) != 1L) {
    abort_input("start", "used with a single number of `components`",
                sprintf("%d values of `components`", length(components)),
                class = "statlearn_error_argument")
  }
  G <- components
  p <- ncol(x)
  known <- c("proportions", "means", "covariances", "variances")
  if (is.null(names(start)) || !all(names(start) %in% known) || is.null(start$means) ||
      (is.null(start$covariances) == is.null(start$variances))) {
    abort_input("start", paste("starting parameters list(proportions = , means = , covariances = )",
                               "(or `variances = ` for one variable)"),
                sprintf("a list with elements %s", paste0("'", names(start), "'", collapse = ", ")),
                class = "statlearn_error_argument")
  }
  pro <- if (is.null(start$proportions)) rep(1 / G, G) else start$proportions
  if (!is.numeric(pro) || length(pro) != G || anyNA(pro) || any(!is.finite(pro)) || any(pro <= 0)) {
    abort_input("start$proportions", sprintf("%d positive numbers", G), describe(pro),
                class = "statlearn_error_range")
  }
  pro <- pro / sum(pro)
  mu <- start$means
  if (is.null(dim(mu)) && p == 1L) mu <- matrix(mu, ncol = 1L)
  if (!is.numeric(mu) || !identical(dim(mu), c(as.integer(G), as.integer(p)))) {
    abort_input("start$means", sprintf("a %d x %d matrix (a vector of %d values for one variable)",
                                       G, p, G), describe(start$means),
                class = "statlearn_error_dimension")
  }
  check_finite_values(mu, "start$means")
  if (!is.null(start$variances)) {
    v <- start$variances
    if (p != 1L || !is.numeric(v) || length(v) != G) {
      abort_input("start$variances", sprintf("%d variances (only for one variable; else `covariances`)", G),
                  describe(v), class = "statlearn_error_dimension")
    }
    cv <- array(as.double(v), c(1L, 1L, G))
  } else {
    cv <- start$covariances
    if (p == 1L && is.null(dim(cv))) cv <- array(cv, c(1L, 1L, length(cv)))
    if (!is.numeric(cv) || !identical(dim(cv), as.integer(c(p, p, G)))) {
      abort_input("start$covariances", sprintf("a %d x %d x %d array", p, p, G), describe(cv),
                  class = "statlearn_error_dimension")
    }
  }
  check_finite_values(cv, "start$covariances")
  storage.mode(cv) <- "double"
  storage.mode(mu) <- "double"
  par <- list(proportions = as.double(pro), means = mu, covariances = cv, covariance = "full")
  res <- tryCatch(mixture_log_density(par, x, threads), statlearn_error_singular = function(e) {
    abort_input("start", "positive definite starting covariances", "a singular one",
                class = "statlearn_error_range")
  })
  z <- exp(res$component - res$density)
  if (any(!is.finite(z))) {
    abort_input("start", "parameters under which every point has a positive density",
                "points of zero density", class = "statlearn_error_range")
  }
  dimnames(z) <- NULL
  z
}

check_mixture_family <- function(covariance, shared, shared_given) {
  shapes <- c("full", "diagonal", "spherical")
  if (!is.character(covariance) || length(covariance) != 1L || is.na(covariance)) {
    abort_input("covariance", sprintf("one of %s, or one of mclust's names %s",
                                      paste0('"', shapes, '"', collapse = ", "),
                                      paste0('"', mixture_families$name, '"', collapse = ", ")),
                describe(covariance), class = "statlearn_error_type")
  }
  shared <- check_flag(shared, "shared")
  alias <- match(toupper(covariance), mixture_families$name)
  if (!is.na(alias)) {
    fam <- mixture_families[alias, ]
    if (shared_given && !identical(shared, fam$shared)) {
      abort_input("shared", sprintf("%s for mclust's model \"%s\" (or leave it out)", fam$shared,
                                    fam$name), format(shared), class = "statlearn_error_range")
    }
    return(list(covariance = fam$covariance, shared = fam$shared))
  }
  hit <- pmatch(covariance, shapes)
  if (is.na(hit)) {
    abort_input("covariance", sprintf("one of %s, or one of mclust's names %s",
                                      paste0('"', shapes, '"', collapse = ", "),
                                      paste0('"', mixture_families$name, '"', collapse = ", ")),
                sprintf('"%s"', covariance), class = "statlearn_error_range")
  }
  list(covariance = shapes[hit], shared = shared)
}

check_components <- function(components, n) {
  if (!is.numeric(components) || length(components) == 0L || !is.null(dim(components)) ||
      anyNA(components) || any(!is.finite(components)) || any(components != round(components))) {
    abort_input("components", "whole numbers of components (such as 3 or 1:9)", describe(components),
                class = "statlearn_error_type")
  }
  if (any(components < 1) || any(components > n)) {
    abort_input("components", sprintf("between 1 and %d (the number of rows of x)", n),
                paste(format(components), collapse = ", "), class = "statlearn_error_range")
  }
  sort(unique(as.integer(components)))
}

check_mixture_start <- function(start, components, n) {
  if (length(components) != 1L) {
    abort_input("start", "used with a single number of `components`",
                sprintf("%d values of `components`", length(components)),
                class = "statlearn_error_argument")
  }
  G <- components
  if (is.matrix(start) || is.data.frame(start)) {
    z <- as.matrix(start)
    if (!is.numeric(z) || nrow(z) != n || ncol(z) != G) {
      abort_input("start", sprintf("an n x G matrix of responsibilities (%d x %d)", n, G),
                  describe(start), class = "statlearn_error_dimension")
    }
    storage.mode(z) <- "double"
    check_finite_values(z, "start")
    if (any(z < 0)) {
      abort_input("start", "non-negative responsibilities", sprintf("a minimum of %g", min(z)),
                  class = "statlearn_error_range")
    }
    rs <- rowSums(z)
    if (any(rs <= 0)) {
      abort_input("start", "rows with a positive sum", sprintf("%d row(s) of zeros", sum(rs <= 0)),
                  class = "statlearn_error_range")
    }
    z <- z / rs
    dimnames(z) <- NULL
    return(z)
  }
  if (is.factor(start)) start <- as.integer(start)
  if (!is.numeric(start) || !is.null(dim(start)) || anyNA(start) || any(start != round(start))) {
    abort_input("start", "integer cluster labels or a matrix of responsibilities", describe(start),
                class = "statlearn_error_type")
  }
  if (length(start) != n) {
    abort_input("start", sprintf("%d labels, one per row of x", n), sprintf("length %d", length(start)),
                class = "statlearn_error_length")
  }
  if (any(start < 1 | start > G) || length(unique(start)) != G) {
    abort_input("start", sprintf("labels covering 1 to %d (every component at least once)", G),
                sprintf("labels %s", paste(sort(unique(start)), collapse = ", ")),
                class = "statlearn_error_range")
  }
  z <- matrix(0, n, G)
  z[cbind(seq_len(n), as.integer(start))] <- 1
  z
}

# Log densities of the rows of the double matrix `newx` under a fit:
# list(component = n x G log(pi_k phi_k(x)), density = log f(x)).
mixture_log_density <- function(object, newx, threads = 1L) {
  res <- cpp_mixture_log_density(newx, unname(object$proportions), unname(object$means),
                                 as.vector(object$covariances), object$covariance != "full", threads)
  if (res$bad_component > 0) {
    abort(sprintf("The covariance of component %d of this fit cannot be factored.", res$bad_component),
          class = c("statlearn_error_singular", "statlearn_error_input"))
  }
  res
}

#' Predictions from a Gaussian mixture
#'
#' Evaluates a [gaussian_mixture()] fit at new points: the most probable
#' component, the responsibilities \eqn{\pi_k \phi_k(x) / f(x)}, the mixture
#' density \eqn{f(x)}, or its logarithm (computed from per-component log
#' densities by log-sum-exp, so it stays finite far from the data where the
#' density underflows).
#'
#' @param object A [gaussian_mixture()] fit.
#' @param newdata A matrix or data frame with the training columns. May be
#'   left out for `type = "cluster"` or `"responsibilities"` (the training
#'   values are returned).
#' @param type `"cluster"`, `"responsibilities"`, `"density"` or
#'   `"log_density"`.
#' @inheritParams statlearn-params
#' @param ... Unused.
#' @return An integer vector of components, an n x G matrix, or a numeric
#'   vector of (log) densities.
#' @family chapter 13
#' @export
#' @examples
#' fit <- gaussian_mixture(faithful, 2, seed = 1, threads = 1)
#' predict(fit, data.frame(eruptions = c(2, 4.5), waiting = c(55, 80)), type = "responsibilities")
#' predict(fit, faithful[1:3, ], type = "log_density")
predict.statlearn_gaussian_mixture <- function(object, newdata,
                                               type = c("cluster", "responsibilities", "density",
                                                        "log_density"),
                                               threads = NULL, ...) {
  check_dots(..., fun = "predict")
  type <- check_choice(type, c("cluster", "responsibilities", "density", "log_density"), "type")
  if (missing(newdata) || is.null(newdata)) {
    if (type == "cluster") return(object$cluster)
    if (type == "responsibilities") return(object$responsibilities)
    abort_input("newdata", sprintf("the points at which to evaluate the %s", gsub("_", " ", type)),
                "nothing", class = "statlearn_error_missing")
  }
  newx <- check_newx(newdata, object, "newdata")
  threads <- resolve_threads(threads)
  res <- mixture_log_density(object, newx, threads)
  rn <- rownames(newx)
  switch(type,
    cluster = {
      out <- max.col(res$component, ties.method = "first")
      names(out) <- rn
      out
    },
    responsibilities = {
      z <- exp(res$component - res$density)
      dimnames(z) <- list(rn, names(object$proportions))
      z
    },
    density = stats::setNames(exp(res$density), rn),
    log_density = stats::setNames(res$density, rn)
  )
}

#' @export
logLik.statlearn_gaussian_mixture <- function(object, ...) {
  structure(object$loglik, df = object$df, nobs = object$nobs, class = "logLik")
}

#' @export
print.statlearn_gaussian_mixture <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Gaussian mixture by EM: %d component%s, %s\n", x$components,
              if (x$components == 1L) "" else "s", mixture_description(x$covariance, x$shared)))
  cat(sprintf("n = %d, p = %d; log-likelihood %s, df %d\n", x$nobs, length(x$xnames),
              format(signif(x$loglik, digits + 3L)), as.integer(x$df)))
  cat(sprintf("BIC = -2 logLik + df log n = %s (smaller is better; mclust's BIC is %s)\n",
              format(signif(x$bic, digits + 3L)), format(signif(-x$bic, digits + 3L))))
  cat(sprintf("%s after %d iteration(s)%s\n", if (x$converged) "Converged" else "Not converged",
              x$iterations,
              if (x$starts > 0L && x$components > 1L) sprintf(", best of %d k-means start(s)", x$starts)
              else if (x$starts == 0L) ", from the given start" else ""))
  if (nrow(x$bic_table) > 1L) {
    cat("\nBIC by number of components (chosen: smallest BIC):\n")
    tab <- x$bic_table[, c("components", "loglik", "df", "bic", "mclust_bic")]
    print(format(tab, digits = digits + 3L), row.names = FALSE)
  }
  cat("\nMixing proportions:\n")
  print(signif(x$proportions, digits))
  cat("\nMeans:\n")
  print(signif(x$means, digits))
  invisible(x)
}

#' @export
summary.statlearn_gaussian_mixture <- function(object, ...) {
  check_dots(..., fun = "summary")
  G <- object$components
  size <- tabulate(object$cluster, G)
  comp <- data.frame(component = seq_len(G), proportion = unname(object$proportions),
                     size = size, stringsAsFactors = FALSE)
  structure(list(
    description = mixture_description(object$covariance, object$shared), components = comp,
    means = object$means, covariances = object$covariances, loglik = object$loglik,
    df = object$df, bic = object$bic, aic = -2 * object$loglik + 2 * object$df,
    nobs = object$nobs, bic_table = object$bic_table, iterations = object$iterations,
    converged = object$converged
  ), class = "summary.statlearn_gaussian_mixture")
}

#' @export
print.summary.statlearn_gaussian_mixture <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Gaussian mixture by EM, %s\n", x$description))
  cat(sprintf("n = %d; log-likelihood %s; df %d; AIC %s; BIC %s (-2 logLik + df log n)\n", x$nobs,
              format(signif(x$loglik, digits + 3L)), as.integer(x$df),
              format(signif(x$aic, digits + 3L)), format(signif(x$bic, digits + 3L))))
  cat(sprintf("%s after %d iteration(s)\n\n", if (x$converged) "Converged" else "Not converged",
              x$iterations))
  cat("Components (size: points whose largest responsibility is that component):\n")
  print(format(x$components, digits = digits), row.names = FALSE)
  cat("\nMeans:\n")
  print(signif(x$means, digits))
  if (nrow(x$bic_table) > 1L) {
    cat("\nBIC by number of components (statlearn's bic: smaller is better; mclust_bic = -bic):\n")
    print(format(x$bic_table, digits = digits + 3L), row.names = FALSE)
  }
  invisible(x)
}

#' Plot a Gaussian mixture
#'
#' `what = "clusters"` draws the data on two coordinates coloured by their
#' most probable component, with each component's mean and the ellipses that
#' hold 50% and 95% of its probability on those coordinates (ESL Figure
#' 13.1's picture for mixtures, 14.3.7). `what = "bic"` draws the BIC of each
#' number of components fitted, marking the chosen one.
#'
#' @param x A [gaussian_mixture()] fit.
#' @param what `"clusters"` or `"bic"`.
#' @param data For `"clusters"`: the data that were fitted (by default found
#'   again from the fit's call).
#' @param dimensions Two columns of the data to draw.
#' @param levels Probabilities of the ellipses drawn around each component.
#' @param ... Graphical parameters passed to [plot()].
#' @return `x`, invisibly.
#' @family chapter 13
#' @export
#' @examples
#' fit <- gaussian_mixture(faithful, 1:4, seed = 1, threads = 1)
#' plot(fit, data = faithful)
#' plot(fit, what = "bic")
plot.statlearn_gaussian_mixture <- function(x, what = c("clusters", "bic"), data = NULL,
                                            dimensions = c(1L, 2L), levels = c(0.5, 0.95), ...) {
  what <- check_choice(what, c("clusters", "bic"), "what")
  if (what == "bic") {
    tab <- x$bic_table
    args <- list(x = tab$components, y = tab$bic, type = "b", pch = 19,
                 xlab = "Number of components", ylab = "BIC (-2 log-likelihood + df log n)",
                 main = sprintf("BIC, %s covariances (mclust %s)", x$covariance, x$model_name),
                 xaxt = "n")
    extra <- list(...)
    args[names(extra)] <- extra
    do.call(graphics::plot, args)
    graphics::axis(1, at = tab$components)
    graphics::abline(v = x$components, lty = 2, col = "grey40")
    return(invisible(x))
  }
  if (is.null(data)) {
    data <- tryCatch(eval(x$call$x, parent.frame()), error = function(e) NULL)
    if (is.null(data)) {
      abort_input("data", "the data that were fitted (they could not be found again from the fit's call)",
                  "nothing", class = "statlearn_error_missing")
    }
  }
  data <- as.matrix(check_x(data, "data"))
  if (ncol(data) != length(x$xnames)) {
    abort_input("data", sprintf("a matrix with the %d fitted columns", length(x$xnames)),
                sprintf("%d columns", ncol(data)), class = "statlearn_error_dimension")
  }
  if (length(x$xnames) < 2L) {
    abort("A cluster plot needs at least two columns; this fit has one.",
          class = c("statlearn_error_unsupported", "statlearn_error_input"))
  }
  if (!is.numeric(levels) || length(levels) < 1L || anyNA(levels) || any(levels <= 0 | levels >= 1)) {
    abort_input("levels", "probabilities strictly between 0 and 1", describe(levels),
                class = "statlearn_error_range")
  }
  dims <- check_plot_dimensions(dimensions, x$xnames)
  colnames(data) <- x$xnames
  cl <- if (nrow(data) == length(x$cluster)) x$cluster else predict(x, data, type = "cluster")
  G <- x$components
  col <- class_colours(G)
  ell <- lapply(seq_len(G), function(k) {
    S <- x$covariances[dims, dims, k]
    R <- chol(S)
    t <- seq(0, 2 * pi, length.out = 121L)
    lapply(levels, function(lv) {
      u <- sqrt(stats::qchisq(lv, 2)) * cbind(cos(t), sin(t)) %*% R
      sweep(u, 2L, x$means[k, dims], "+")
    })
  })
  allx <- c(data[, dims[1L]], unlist(lapply(ell, function(e) lapply(e, function(m) m[, 1L]))))
  ally <- c(data[, dims[2L]], unlist(lapply(ell, function(e) lapply(e, function(m) m[, 2L]))))
  args <- list(x = data[, dims[1L]], y = data[, dims[2L]], col = col[cl], pch = 1, cex = 0.6,
               xlab = x$xnames[dims[1L]], ylab = x$xnames[dims[2L]], xlim = range(allx),
               ylim = range(ally),
               main = sprintf("Gaussian mixture, %d component%s (%s)", G, if (G == 1L) "" else "s",
                              x$model_name))
  extra <- list(...)
  args[names(extra)] <- extra
  do.call(graphics::plot, args)
  lty <- rep_len(c(2L, 1L, 3L, 4L), length(levels))
  for (k in seq_len(G)) {
    for (j in seq_along(levels)) graphics::lines(ell[[k]][[j]], col = col[k], lwd = 1.5, lty = lty[j])
  }
  graphics::points(x$means[, dims[1L]], x$means[, dims[2L]], pch = 21, bg = col, col = "black",
                   cex = 1.8, lwd = 1.5)
  graphics::legend("topleft", legend = sprintf("%g%% ellipse", 100 * levels), lty = lty, lwd = 1.5,
                   bty = "n", cex = 0.8)
  invisible(x)
}
