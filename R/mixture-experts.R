# ESL 9.5: hierarchical mixtures of experts (Jordan and Jacobs 1994), fitted
# by EM. A tree of soft splits: every gating network is a multinomial logistic
# regression on the inputs that sends an observation down its branches with
# probabilities; the leaves (experts) are linear regressions (Gaussian) or
# logistic regressions (two classes). Plain R: every step is a few weighted
# least-squares or Newton solves of size p + 1, done with BLAS.

#' Hierarchical mixtures of experts
#'
#' Fits the hierarchical mixture of experts (HME) of ESL section 9.5: a tree
#' of depth `depth` whose internal nodes are *gating networks* with
#' `branches` soft branches each, and whose `branches^depth` leaves are
#' *experts*. For ESL's two-level model (`depth = 2`, `branches = 2`),
#' \deqn{\Pr(y \mid x) = \sum_j g_j(x) \sum_l g_{l \mid j}(x)\,
#' \Pr(y \mid x, \theta_{jl}),}{Pr(y | x) = sum_j g_j(x) sum_l g_{l|j}(x) Pr(y | x, theta_jl),}
#' where each gate is a softmax of linear functions of the inputs,
#' \eqn{g_j(x) = e^{\gamma_j^T x} / \sum_k e^{\gamma_k^T x}}{g_j(x) = exp(gamma_j' x) / sum_k exp(gamma_k' x)},
#' and each expert is a linear regression with Gaussian errors (its own
#' variance) or a linear logistic regression. `depth = 1` is a plain mixture
#' of experts.
#'
#' The parameters maximise the log-likelihood by the EM algorithm (ESL
#' 9.5.1): the E-step gives each observation's posterior probability of every
#' path through the tree; the M-step refits each expert by weighted least
#' squares (or weighted logistic regression) with those posteriors as
#' weights, and each gate by a weighted multinomial logistic regression of
#' the posterior branch probabilities, by Newton steps with step halving.
#' Every iteration increases the (penalised) log-likelihood. The first
#' branch of every gate is the reference (its coefficients are 0).
#'
#' Inputs are standardised for fitting (means 0, standard deviations 1);
#' coefficients are reported on the original scale. A small ridge penalty
#' `penalty` \eqn{\times}{x} n on the gates' and logistic experts' slopes (on
#' the standardised scale) keeps them finite when the data separate the
#' branches or classes perfectly; with `penalty = 0` the fit is the plain
#' maximum-likelihood one. The log-likelihood has many local maxima: `starts`
#' random starts (random posterior assignments) are run and the best kept.
#'
#' @param x A numeric matrix or data frame of inputs (no intercept column).
#' @param y The response: numeric for `family = "gaussian"`; a two-class
#'   factor (or logical, or 0/1) for `family = "binomial"`.
#' @param depth Depth of the tree of gates (1: a mixture of experts; 2:
#'   ESL's two-level HME).
#' @param branches Branches of every gate (2 or more).
#' @param family `"gaussian"` (linear-regression experts) or `"binomial"`
#'   (logistic-regression experts); by default `"binomial"` for a factor or
#'   logical `y` and `"gaussian"` otherwise.
#' @param penalty Ridge penalty per observation on the slopes of the gates and
#'   of logistic experts (standardised inputs), 0 or more.
#' @param starts Number of random starts; the fit with the largest penalised
#'   log-likelihood is returned.
#' @param max_iter Largest number of EM iterations per start.
#' @param tol Convergence: EM stops when an iteration increases the penalised
#'   log-likelihood by less than `tol` times its absolute value.
#' @param seed `NULL` (the random starts use R's random number generator, so
#'   [set.seed()] reproduces them) or a whole number with which they are
#'   drawn, leaving the caller's random stream untouched.
#' @param ... Passed on to the default method (formula method), unused
#'   otherwise.
#' @param formula A model formula, `y ~ x1 + x2` or `y ~ .`.
#' @param data A data frame holding the formula's variables.
#' @param subset Optional expression selecting rows of `data`.
#' @param na.action What to do with missing values (default
#'   `getOption("na.action")`).
#' @return A list of class `statlearn_mixture_of_experts`: `gates` (one
#'   (p + 1) x branches coefficient matrix per gate, in level order: the root
#'   first, then its children left to right), `experts` ((p + 1) x experts
#'   coefficients), `sigma2` (Gaussian experts' variances), `loglik` and
#'   `penalized_loglik` (the criterion EM increases), `trace` (its value
#'   after each iteration of the returned start), `iterations`, `converged`,
#'   `fitted.values`, `posterior` (n x experts), and the settings.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., Section 9.5. Jordan and Jacobs (1994),
#'   Hierarchical mixtures of experts and the EM algorithm, *Neural
#'   Computation* 6, 181-214.
#' @family chapter 9
#' @examples
#' # a response with two linear regimes, switched by x1
#' set.seed(1)
#' n <- 300
#' x <- matrix(rnorm(n * 2), n, 2, dimnames = list(NULL, c("x1", "x2")))
#' y <- ifelse(x[, 1] > 0, 2 + 3 * x[, 2], -1 - x[, 2]) + rnorm(n, sd = 0.3)
#' fit <- mixture_of_experts(x, y, depth = 1, branches = 2, seed = 1)
#' fit
#' coef(fit)$experts
#' head(predict(fit, x, type = "gates"))
#'
#' # ESL's two-level HME for two classes
#' d <- data.frame(x1 = runif(200, -1, 1), x2 = runif(200, -1, 1))
#' d$y <- factor(ifelse(d$x1 * d$x2 > 0, "same", "opposite"))
#' hme <- mixture_of_experts(y ~ x1 + x2, d, depth = 2, seed = 1, starts = 1,
#'                           penalty = 1e-3, tol = 1e-6)
#' mean(predict(hme, d, type = "class") == d$y)
#' @export
mixture_of_experts <- function(x, ...) UseMethod("mixture_of_experts")

#' @rdname mixture_of_experts
#' @export
mixture_of_experts.default <- function(x, y, depth = 2, branches = 2, family = NULL, penalty = 1e-6,
                                       starts = 3, max_iter = 500, tol = 1e-10, seed = NULL, ...) {
  check_dots(..., fun = "mixture_of_experts")
  x <- check_x(x)
  fit <- fit_mixture_of_experts(x, y, depth, branches, family, penalty, starts, max_iter, tol, seed)
  fit$call <- match.call()
  fit
}

#' @rdname mixture_of_experts
#' @export
mixture_of_experts.formula <- function(formula, data, subset, na.action, ...) {
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  if (!is.null(des$weights)) {
    abort_input("weights", "absent (case weights are not supported)", "weights",
                class = "statlearn_error_unsupported")
  }
  fit <- mixture_of_experts.default(des$x, des$y, ...)
  add_formula_info(fit, des, call)
}

# ---- the model ---------------------------------------------------------------

# The tree: gates in level order (gate g's children are gates or experts
# (g - 1) * B + 1:B of the next level); `under[[g]]` lists the experts below
# each branch of gate g.
moe_tree <- function(depth, branches) {
  B <- branches
  gates <- list()
  for (l in seq_len(depth) - 1L) {
    for (j in seq_len(B^l)) {
      # experts below branch b of this gate: a contiguous block at the leaves
      width <- B^(depth - l - 1L)
      first <- (j - 1L) * B * width
      gates[[length(gates) + 1L]] <- lapply(seq_len(B), function(b) first + (b - 1L) * width + seq_len(width))
    }
  }
  list(depth = depth, branches = B, experts = B^depth, under = gates)
}

# Softmax of the linear predictors X1 %*% V (n x B), by rows, stably; also
# its logarithm.
moe_softmax <- function(eta) {
  m <- eta[cbind(seq_len(nrow(eta)), max.col(eta, ties.method = "first"))]
  z <- exp(eta - m)
  s <- rowSums(z)
  list(p = z / s, logp = eta - m - log(s))
}

# log of every path's gate probability, n x experts.
moe_log_paths <- function(X1, gates, tree) {
  lp <- matrix(0, nrow(X1), tree$experts)
  for (g in seq_along(gates)) {
    lg <- moe_softmax(X1 %*% gates[[g]])$logp
    for (b in seq_len(tree$branches)) {
      k <- tree$under[[g]][[b]]
      lp[, k] <- lp[, k] + lg[, b]
    }
  }
  lp
}

# log density of y under every expert, n x experts.
moe_log_experts <- function(X1, y, experts, sigma2, family) {
  eta <- X1 %*% experts
  if (family == "gaussian") {
    r <- y - eta
    -0.5 * (log(2 * pi) + rep(log(sigma2), each = nrow(eta))) - 0.5 * r^2 / rep(sigma2, each = nrow(eta))
  } else {
    # log p(y) = y eta - log(1 + e^eta)
    y * eta - log1p_exp(eta)
  }
}

log1p_exp <- function(v) ifelse(v > 0, v + log1p(exp(-v)), log1p(exp(v)))

# Row-wise log-sum-exp of a matrix.
log_sum_exp_rows <- function(a) {
  m <- a[cbind(seq_len(nrow(a)), max.col(a, ties.method = "first"))]
  m + log(rowSums(exp(a - m)))
}

# The penalty's part of the criterion: lambda / 2 times the squared slopes of
# the gates (and of logistic experts).
moe_penalty <- function(gates, experts, lambda, family) {
  s <- sum(vapply(gates, function(V) sum(V[-1L, ]^2), 0))
  if (family == "binomial") s <- s + sum(experts[-1L, ]^2)
  lambda / 2 * s
}

# Weighted multinomial logistic regression by (at most `iter`) Newton steps
# with step halving, towards the maximum of sum_i r_i sum_b T_ib log softmax_b(X1_i V) - lambda / 2 *
# |slopes|^2 over V (p1 x B, first column fixed at 0), from V. The
# objective never decreases, so EM stays monotone.
moe_softmax_fit <- function(X1, Tm, r, V, lambda, iter = 5L, tol = 1e-10) {
  B <- ncol(Tm)
  p1 <- ncol(X1)
  pen <- c(0, rep(lambda, p1 - 1L))
  obj <- function(V) sum(r * rowSums(Tm * moe_softmax(X1 %*% V)$logp)) - sum(pen * V^2) / 2
  f <- obj(V)
  free <- seq_len(p1 * (B - 1L)) + p1  # entries of V[, 2:B]
  for (it in seq_len(iter)) {
    P <- moe_softmax(X1 %*% V)$p
    G <- crossprod(X1, r * (Tm - P)) - pen * V
    g <- as.vector(G[, -1L, drop = FALSE])
    H <- matrix(0, length(g), length(g))
    for (a in 2:B) {
      for (b in a:B) {
        wab <- r * P[, a] * ((a == b) - P[, b])
        blk <- crossprod(X1, wab * X1)
        ia <- (a - 2L) * p1 + seq_len(p1)
        ib <- (b - 2L) * p1 + seq_len(p1)
        H[ia, ib] <- blk
        H[ib, ia] <- t(blk)
      }
    }
    diag(H) <- diag(H) + rep(pen, B - 1L) + 1e-12 * max(1, max(abs(diag(H))))
    step <- tryCatch(solve(H, g), error = function(e) g / max(1, max(abs(diag(H)))))
    t <- 1
    repeat {
      Vn <- V
      Vn[free] <- V[free] + t * step
      fn <- obj(Vn)
      if (is.finite(fn) && fn >= f) break
      t <- t / 2
      if (t < 1e-10) {
        Vn <- V
        fn <- f
        break
      }
    }
    done <- fn - f <= tol * (abs(f) + tol)
    V <- Vn
    f <- fn
    if (done) break
  }
  V
}

# One EM run from random posteriors; returns the fitted parameters.
moe_em <- function(X1, y, tree, family, lambda, max_iter, tol) {
  n <- nrow(X1)
  p1 <- ncol(X1)
  K <- tree$experts
  B <- tree$branches
  h <- matrix(stats::runif(n * K), n, K)
  h <- h / rowSums(h)
  gates <- replicate(length(tree$under), matrix(0, p1, B), simplify = FALSE)
  experts <- matrix(0, p1, K)
  sigma2 <- rep(stats::var(if (family == "gaussian") y else as.double(y)), K)
  vfloor <- 1e-10 * max(stats::var(y), 1e-300)
  trace <- numeric(0)
  converged <- FALSE
  crit <- -Inf
  for (it in seq_len(max_iter)) {
    # M-step: experts
    for (k in seq_len(K)) {
      w <- h[, k]
      if (family == "gaussian") {
        sw <- sqrt(w)
        qx <- qr(sw * X1)
        b <- qr.coef(qx, sw * y)
        b[is.na(b)] <- 0
        experts[, k] <- b
        r <- y - X1 %*% b
        sigma2[k] <- max(sum(w * r^2) / max(sum(w), 1e-300), vfloor)
      } else {
        Tm <- cbind(1 - y, y)
        V <- moe_softmax_fit(X1, Tm, w, cbind(0, experts[, k]), lambda)
        experts[, k] <- V[, 2L]
      }
    }
    # M-step: gates, with the posterior branch probabilities below each
    for (g in seq_along(tree$under)) {
      mass <- vapply(tree$under[[g]], function(k) rowSums(h[, k, drop = FALSE]), numeric(n))
      if (!is.matrix(mass)) mass <- matrix(mass, nrow = n)
      r <- rowSums(mass)
      Tm <- mass / ifelse(r > 0, r, 1)
      Tm[r <= 0, ] <- 1 / B
      gates[[g]] <- moe_softmax_fit(X1, Tm, r, gates[[g]], lambda)
    }
    # E-step and the criterion
    a <- moe_log_paths(X1, gates, tree) + moe_log_experts(X1, y, experts, sigma2, family)
    ll_i <- log_sum_exp_rows(a)
    h <- exp(a - ll_i)
    new <- sum(ll_i) - moe_penalty(gates, experts, lambda, family)
    trace <- c(trace, new)
    if (is.finite(crit) && new - crit <= tol * abs(crit)) {
      converged <- TRUE
      crit <- new
      break
    }
    crit <- new
  }
  list(gates = gates, experts = experts, sigma2 = sigma2, posterior = h, loglik = sum(ll_i),
       penalized_loglik = crit, trace = trace, iterations = length(trace), converged = converged)
}

fit_mixture_of_experts <- function(x, y, depth, branches, family, penalty, starts, max_iter, tol, seed) {
  n <- nrow(x)
  depth <- check_count(depth, "depth", lower = 1, upper = 6)
  branches <- check_count(branches, "branches", lower = 2, upper = 10)
  if (branches^depth > 256) {
    abort_input("depth", "at most 256 experts (branches^depth)", sprintf("%d^%d = %d", branches, depth, branches^depth),
                class = "statlearn_error_range")
  }
  if (is.null(family)) family <- if (is.factor(y) || is.logical(y) || is.character(y)) "binomial" else "gaussian"
  family <- check_choice(family, c("gaussian", "binomial"), "family")
  levels <- NULL
  if (family == "binomial") {
    if (is.numeric(y) && !is.factor(y) && all(y[!is.na(y)] %in% c(0, 1))) y <- factor(y, levels = c(0, 1))
    y <- check_class_y(y, n)
    if (nlevels(y) != 2L) {
      abort_input("y", "two classes for family = \"binomial\"", sprintf("%d classes", nlevels(y)),
                  class = "statlearn_error_classes")
    }
    levels <- levels(y)
    yy <- as.double(as.integer(y) == 2L)
  } else {
    yy <- check_y(y, n)
    if (stats::var(yy) == 0 || n < 2L) {
      abort_input("y", "a response that varies", "a constant response", class = "statlearn_error_constant")
    }
  }
  penalty <- check_number(penalty, "penalty", lower = 0)
  starts <- check_count(starts, "starts", lower = 1)
  max_iter <- check_count(max_iter, "max_iter", lower = 1)
  tol <- check_number(tol, "tol", lower = 0)
  xnames <- colnames(x)
  st <- standardize_columns(x, xnames)
  X1 <- cbind(1, st$x)
  tree <- moe_tree(depth, branches)
  run <- function() {
    best <- NULL
    for (s in seq_len(starts)) {
      f <- moe_em(X1, yy, tree, family, penalty * n, max_iter, tol)
      if (is.null(best) || f$penalized_loglik > best$penalized_loglik) best <- f
    }
    best
  }
  best <- if (is.null(seed)) run() else with_seed(check_number(seed, "seed", lower = 0, integer = TRUE), run())
  # coefficients on the original scale
  unscale <- function(V) {
    V <- as.matrix(V)
    slopes <- V[-1L, , drop = FALSE] / st$scale
    rbind(V[1L, ] - colSums(slopes * st$center), slopes)
  }
  rn <- c("(Intercept)", xnames)
  gates <- lapply(best$gates, function(V) {
    V <- unscale(V)
    dimnames(V) <- list(rn, paste0("branch", seq_len(branches)))
    V
  })
  experts <- unscale(best$experts)
  dimnames(experts) <- list(rn, paste0("expert", seq_len(tree$experts)))
  fit <- list(gates = gates, experts = experts,
              sigma2 = if (family == "gaussian") stats::setNames(best$sigma2, colnames(experts)),
              loglik = best$loglik, penalized_loglik = best$penalized_loglik, trace = best$trace,
              iterations = best$iterations, converged = best$converged, posterior = best$posterior,
              family = family, levels = levels, depth = depth, branches = branches, penalty = penalty,
              starts = starts, n = n, xnames = xnames, y = yy)
  class(fit) <- c("statlearn_mixture_of_experts", "statlearn_model")
  fit$fitted.values <- moe_predict(fit, x)$mean
  fit
}

# Gate path probabilities, expert means and the mixture mean for inputs x.
moe_predict <- function(object, x) {
  X1 <- cbind(1, x)
  tree <- moe_tree(object$depth, object$branches)
  paths <- exp(moe_log_paths(X1, object$gates, tree))
  eta <- X1 %*% object$experts
  means <- if (object$family == "gaussian") eta else stats::plogis(eta)
  colnames(paths) <- colnames(means) <- colnames(object$experts)
  list(paths = paths, means = means, mean = rowSums(paths * means))
}

# ---- methods ---------------------------------------------------------------------

#' @describeIn mixture_of_experts Predictions: `type = "response"` (the
#'   mixture's mean, a probability of the second class for `"binomial"`),
#'   `"class"` (binomial), `"gates"` (n x experts path probabilities) or
#'   `"experts"` (each expert's mean).
#' @param object A fitted `statlearn_mixture_of_experts`.
#' @param newdata New inputs (a matrix, or a data frame for a formula fit);
#'   `NULL` for the training data's fitted values.
#' @param type What to predict (see above).
#' @export
predict.statlearn_mixture_of_experts <- function(object, newdata = NULL,
                                                 type = c("response", "class", "gates", "experts"), ...) {
  check_dots(..., fun = "predict")
  type <- match.arg(type)
  if (type == "class" && object$family != "binomial") {
    abort_input("type", "\"response\", \"gates\" or \"experts\" for a Gaussian mixture", "\"class\"",
                class = "statlearn_error_input")
  }
  if (is.null(newdata)) {
    if (type == "response") return(object$fitted.values)
    abort_input("newdata", sprintf("the inputs for type = \"%s\"", type), "NULL", class = "statlearn_error_input")
  }
  x <- new_design(object, newdata)
  if (ncol(x) != length(object$xnames)) {
    abort_input("newdata", sprintf("%d input columns", length(object$xnames)), sprintf("%d", ncol(x)),
                class = "statlearn_error_shape")
  }
  pr <- moe_predict(object, x)
  switch(type,
         response = pr$mean,
         class = factor(object$levels[1L + (pr$mean > 0.5)], levels = object$levels),
         gates = pr$paths,
         experts = pr$means)
}

#' @export
print.statlearn_mixture_of_experts <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Hierarchical mixture of experts: depth %d, %d branches per gate, %d %s experts\n",
              x$depth, x$branches, ncol(x$experts),
              if (x$family == "gaussian") "linear-regression" else "logistic-regression"))
  cat(sprintf("n = %d, %d inputs; log-likelihood %s (penalty %s); %d EM iterations%s, best of %d start(s)\n",
              x$n, length(x$xnames), format(x$loglik, digits = digits + 3L), format(x$penalty),
              x$iterations, if (x$converged) "" else " (not converged)", x$starts))
  share <- colMeans(x$posterior)
  cat("Share of the data per expert (mean posterior):\n")
  print(round(share, digits))
  invisible(x)
}

#' @export
summary.statlearn_mixture_of_experts <- function(object, ...) {
  structure(list(fit = object), class = "summary.statlearn_mixture_of_experts")
}

#' @export
print.summary.statlearn_mixture_of_experts <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  f <- x$fit
  print(f, digits = digits)
  cat("\nExperts' coefficients:\n")
  print(signif(f$experts, digits))
  if (!is.null(f$sigma2)) {
    cat("\nExperts' error variances:\n")
    print(signif(f$sigma2, digits))
  }
  for (g in seq_along(f$gates)) {
    cat(sprintf("\nGate %d (branch 1 is the reference):\n", g))
    print(signif(f$gates[[g]][, -1L, drop = FALSE], digits))
  }
  invisible(x)
}

#' @export
coef.statlearn_mixture_of_experts <- function(object, ...) {
  list(gates = object$gates, experts = object$experts)
}

#' @export
fitted.statlearn_mixture_of_experts <- function(object, ...) object$fitted.values

#' @export
residuals.statlearn_mixture_of_experts <- function(object, ...) object$y - object$fitted.values

#' @export
logLik.statlearn_mixture_of_experts <- function(object, ...) {
  p1 <- nrow(object$experts)
  df <- length(object$gates) * p1 * (object$branches - 1L) + length(object$experts) +
    if (object$family == "gaussian") ncol(object$experts) else 0L
  structure(object$loglik, df = df, nobs = object$n, class = "logLik")
}

#' @export
plot.statlearn_mixture_of_experts <- function(x, main = "EM for the mixture of experts", ...) {
  graphics::plot(seq_along(x$trace), x$trace, type = "b", pch = 20, xlab = "EM iteration",
                 ylab = "penalised log-likelihood", main = main, ...)
  invisible(x)
}
