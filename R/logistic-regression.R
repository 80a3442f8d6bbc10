#' Logistic regression
#'
#' Fits the linear logistic model of ESL section 4.4 by maximum likelihood,
#' with Newton-Raphson steps written as iteratively reweighted least squares
#' (ESL eqs 4.21-4.28). With two classes it is the binomial model of
#' [stats::glm()] (`family = binomial`): the *second* level of the response
#' factor is the "event" whose log-odds are modelled. With K > 2 classes it is
#' the multinomial model of ESL eq. 4.17 with the *first* level as the baseline
#' (as [nnet::multinom()]), fitted by Newton-Raphson with the full
#' \eqn{(K-1)(p+1)} Hessian. The weighted cross-products \eqn{X'WX} of each
#' iteration come from a parallel SIMD kernel and are solved by Cholesky;
#' the step is halved when the deviance increases, and the iteration stops when
#' the relative change of the deviance is below `epsilon` (the rule of
#' [stats::glm.control()]).
#'
#' Completely or quasi-completely separated classes (fitted probabilities of the observed class
#' numerically 1) have no finite maximum-likelihood estimates: the fit
#' then gives one warning of class `statlearn_warning_separation` and records
#' `separation = TRUE`. Not reaching the convergence criterion in `maxit`
#' iterations gives a warning of class `statlearn_warning_convergence`.
#'
#' `summary()` gives the estimates, standard errors, Z scores and p-values in
#' the layout of ESL Table 4.2, the null and residual deviances and the AIC.
#' `anova(small, big)` is the likelihood-ratio (deviance) test between nested
#' fits (`test = "Wald"` for the Wald test), [wald_test()] tests groups of
#' coefficients, and [stepwise()] on a fit does backward (or forward, or
#' bidirectional) selection of terms by AIC as in ESL Table 4.3.
#'
#' @inheritParams statlearn-params
#' @param y The class labels: a factor (or character, logical or whole
#'   numbers) with at least two classes. Unused factor levels are dropped.
#' @param offset Optional known component of the linear predictor, one value
#'   per observation (two classes only). In the formula interface offsets may
#'   also be given by `offset()` terms.
#' @param maxit Largest number of Newton-Raphson iterations.
#' @param epsilon Convergence tolerance on the relative change of the deviance.
#' @return An object of class `c("statlearn_logistic_regression",
#'   "statlearn_classifier", "statlearn_model")` with `coefficients` (a named
#'   vector for two classes, a (K-1) x (p+1) matrix with one row per
#'   non-baseline class otherwise), `vcov`, `fitted.values` (the n x K matrix
#'   of fitted class probabilities), `linear.predictors`, `deviance`,
#'   `null.deviance`, `df.residual`, `df.null`, `aic`, `rank`, `iterations`,
#'   `converged`, `separation`, `levels` and `family` (`"binomial"` or
#'   `"multinomial"`).
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., section 4.4, equations 4.17-4.28,
#'   Tables 4.2 and 4.3.
#' @family chapter 4
#' @export
#' @examples
#' fit <- logistic_regression(chd ~ sbp + tobacco + ldl + famhist + obesity +
#'                              alcohol + age, data = SAheart, threads = 1)
#' summary(fit)   # ESL Table 4.2
#' small <- stepwise(fit)   # ESL Table 4.3
#' coef(small)
#' anova(small, fit)
#' head(predict(fit, SAheart, type = "prob"))
logistic_regression <- function(x, ...) UseMethod("logistic_regression")

#' @rdname logistic_regression
#' @export
logistic_regression.default <- function(x, y, weights = NULL, offset = NULL, intercept = TRUE,
                                        maxit = 25, epsilon = 1e-8, threads = NULL, ...) {
  check_dots(..., fun = "logistic_regression")
  x <- check_x(x, "x", names = FALSE)
  fit <- fit_logistic_regression(x, y, weights, offset, check_flag(intercept, "intercept"),
                                 maxit, epsilon, threads)
  fit$call <- match.call()
  fit
}

#' @rdname logistic_regression
#' @export
logistic_regression.formula <- function(formula, data, subset, weights, na.action, offset,
                                        maxit = 25, epsilon = 1e-8, threads = NULL, ...) {
  check_dots(..., fun = "logistic_regression")
  call <- match.call()
  mf <- logistic_model_frame(call, parent.frame())
  des <- formula_design(mf)
  x <- des$x
  storage.mode(x) <- "double"
  if (ncol(x) == 0L && !des$intercept) {
    abort_input("formula", "at least one term", "an empty model", class = "statlearn_error_formula")
  }
  check_finite_values(x, "x")
  fit <- fit_logistic_regression(x, des$y, des$weights, stats::model.offset(mf), des$intercept,
                                 maxit, epsilon, threads)
  fit$assign <- des$assign
  fit$term_labels <- attr(des$terms, "term.labels")
  add_formula_info(fit, des, call)
}

# formula_model_frame() that also keeps an `offset` argument.
logistic_model_frame <- function(call, env) {
  mf <- call
  m <- match(c("formula", "data", "subset", "weights", "na.action", "offset"), names(mf), 0L)
  mf <- mf[c(1L, m)]
  mf$drop.unused.levels <- TRUE
  mf[[1L]] <- quote(stats::model.frame)
  tryCatch(eval(mf, env), error = function(e) {
    abort(sprintf("Could not build the model frame from `formula` and `data`: %s",
                  conditionMessage(e)), class = c("statlearn_error_formula", "statlearn_error_input"))
  })
}

fit_logistic_regression <- function(x, y, weights, offset, intercept, maxit, epsilon, threads) {
  threads <- resolve_threads(threads)
  maxit <- check_count(maxit, "maxit")
  epsilon <- check_number(epsilon, "epsilon", 0, 1, lower_open = TRUE, upper_open = TRUE)
  n <- nrow(x)
  if (n == 0L) abort_input("x", "at least one row", "none", class = "statlearn_error_empty")
  y <- check_class_y(y, n)
  w <- check_weights(weights, n)
  lev <- levels(y)
  K <- length(lev)
  if (!is.null(offset)) {
    if (K > 2L) {
      abort_input("offset", "NULL for more than two classes", describe(offset),
                  class = "statlearn_error_range")
    }
    if (!is.numeric(offset) || length(offset) != n) {
      abort_input("offset", sprintf("a numeric vector of length %d", n), describe(offset),
                  class = "statlearn_error_length")
    }
    offset <- as.double(offset)
    check_finite_values(offset, "offset")
  }
  xnames <- if (ncol(x)) column_names(x) else character()
  cnames <- c(if (intercept) "(Intercept)", xnames)
  q <- length(cnames)
  n_eff <- sum(w > 0)
  if (n_eff < q * (K - 1L)) {
    abort_input("x", sprintf("at least %d observations with positive weight (one per coefficient)",
                             q * (K - 1L)), sprintf("%d", n_eff), class = "statlearn_error_length")
  }
  yi <- as.integer(y) - 1L
  res <- cpp_logistic(x, yi, K, w, offset, intercept, maxit, epsilon, threads)
  if (res$dependent > 0L) {
    abort_input("x", "columns that are neither constant nor linear combinations of the others",
                sprintf("column '%s' is (numerically) dependent on the %s; remove it",
                        cnames[res$dependent],
                        if (intercept && res$dependent > 1L) "intercept and the columns before it"
                        else "columns before it"),
                class = "statlearn_error_collinear")
  }
  null <- if (intercept) {
    cpp_logistic(matrix(0, n, 0L), yi, K, w, offset, TRUE, maxit, epsilon, 1L)$deviance
  } else {
    eta0 <- if (is.null(offset)) 0 else offset
    -2 * sum(w * ifelse(yi == 1L, stats::plogis(eta0, log.p = TRUE),
                        stats::plogis(-eta0, log.p = TRUE)))
  }
  rn <- rownames(x)
  prob <- res$prob
  dimnames(prob) <- list(rn, lev)
  Q <- q * (K - 1L)
  if (K == 2L) {
    coef <- stats::setNames(drop(res$coef), cnames)
    vnames <- cnames
    eta <- stats::setNames(drop(res$eta), rn)
  } else {
    coef <- t(res$coef)
    dimnames(coef) <- list(lev[-1L], cnames)
    vnames <- paste(rep(lev[-1L], each = q), rep(cnames, K - 1L), sep = ":")
    eta <- res$eta
    dimnames(eta) <- list(rn, lev[-1L])
  }
  cov <- res$cov
  dimnames(cov) <- list(vnames, vnames)
  fit <- list(
    coefficients = coef, vcov = cov, fitted.values = prob, linear.predictors = eta,
    deviance = res$deviance, null.deviance = null, df.residual = n_eff - Q,
    df.null = n_eff - if (intercept) K - 1L else 0L, rank = Q, aic = res$deviance + 2 * Q,
    iterations = res$iterations, converged = res$converged,
    # Separation: observations fitted with certainty AND coefficients still
    # moving (they diverge), or no convergence at all.
    separation = res$extreme > 0L && (!res$converged || res$last_step > 1e-3),
    last_step = res$last_step,
    levels = lev, family = if (K == 2L) "binomial" else "multinomial", y = y, weights = w,
    offset = offset, intercept = intercept, xnames = xnames, nobs = n,
    maxit = maxit, epsilon = epsilon, method = "Newton-Raphson (IRLS)"
  )
  if (fit$separation) {
    warn(sprintf(paste0(
      "logistic_regression(): fitted probabilities numerically 1 for the observed class of %d observation(s). ",
      "The classes are (quasi-)completely separated by the inputs, so the maximum-likelihood ",
      "estimates do not exist: coefficients diverge and their standard errors are meaningless. ",
      "Consider a penalised fit (elastic_net()) or removing the separating input(s)."),
      res$extreme), class = "statlearn_warning_separation")
  } else if (!res$converged) {
    warn(sprintf(paste0("logistic_regression() did not converge in %d iterations (`maxit`); ",
                        "increase `maxit` or loosen `epsilon`."), maxit),
         class = "statlearn_warning_convergence")
  }
  structure(fit, class = c("statlearn_logistic_regression", "statlearn_classifier",
                           "statlearn_model"))
}

#' @export
coef.statlearn_logistic_regression <- function(object, ...) object$coefficients

#' @export
vcov.statlearn_logistic_regression <- function(object, ...) object$vcov

#' @export
deviance.statlearn_logistic_regression <- function(object, ...) object$deviance

#' @export
logLik.statlearn_logistic_regression <- function(object, ...) {
  structure(-object$deviance / 2, df = object$rank, nobs = sum(object$weights > 0),
            class = "logLik")
}

#' @export
fitted.statlearn_logistic_regression <- function(object, ...) object$fitted.values

#' @export
residuals.statlearn_logistic_regression <- function(object, type = c("deviance", "pearson", "response"),
                                                    ...) {
  check_dots(..., fun = "residuals")
  type <- check_choice(type, c("deviance", "pearson", "response"), "type")
  prob <- object$fitted.values
  w <- object$weights
  # Probabilities of exactly 0 or 1 (separated data) kept inside (eps, 1 - eps)
  # for the Pearson residuals, as binomial()$linkinv keeps glm's.
  eps <- .Machine$double.eps
  vp <- pmin(pmax(prob, eps), 1 - eps)
  if (object$family == "binomial") {
    yy <- as.integer(object$y) - 1
    mu <- prob[, 2L]
    r <- switch(type,
      response = yy - mu,
      pearson = (yy - mu) * sqrt(w) / sqrt(vp[, 2L] * (1 - vp[, 2L])),
      deviance = sign(yy - mu) * sqrt(-2 * w * log(ifelse(yy == 1, mu, 1 - mu)))
    )
    return(stats::setNames(r, rownames(prob)))
  }
  ind <- outer(as.integer(object$y), seq_along(object$levels), "==") * 1
  switch(type,
    response = { r <- ind - prob; dimnames(r) <- dimnames(prob); r },
    pearson = { r <- (ind - prob) * sqrt(w) / sqrt(vp * (1 - vp)); dimnames(r) <- dimnames(prob); r },
    deviance = stats::setNames(sqrt(-2 * w * log(prob[cbind(seq_along(object$y), as.integer(object$y))])),
                               rownames(prob))
  )
}

# Flattened coefficients in the order of vcov().
logistic_coef_vector <- function(object) {
  b <- object$coefficients
  if (is.matrix(b)) stats::setNames(as.vector(t(b)), rownames(object$vcov)) else b
}

#' @export
print.statlearn_logistic_regression <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Logistic regression (%s, %d classes: %s), n = %d\n", x$family, length(x$levels),
              paste(x$levels, collapse = ", "), x$nobs))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat(if (x$family == "binomial") sprintf("\nCoefficients (log-odds of \"%s\"):\n", x$levels[2L])
      else sprintf("\nCoefficients (log-odds against \"%s\"):\n", x$levels[1L]))
  print(x$coefficients, digits = digits)
  cat(sprintf("\nResidual deviance: %s on %d degrees of freedom; AIC: %s\n",
              format(signif(x$deviance, digits)), as.integer(x$df.residual),
              format(signif(x$aic, digits))))
  if (!is.null(x$steps)) {
    cat("\nSelected by stepwise search:\n")
    print(format(x$steps, digits = digits), row.names = FALSE)
  }
  invisible(x)
}

#' @export
summary.statlearn_logistic_regression <- function(object, ...) {
  check_dots(..., fun = "summary")
  b <- logistic_coef_vector(object)
  se <- sqrt(diag(object$vcov))
  z <- b / se
  tab <- cbind(Estimate = b, `Std. Error` = se, `Z score` = z,
               `Pr(>|z|)` = 2 * stats::pnorm(-abs(z)))
  structure(list(call = object$call, coefficients = tab, family = object$family,
                 levels = object$levels, deviance = object$deviance,
                 null.deviance = object$null.deviance, df.residual = object$df.residual,
                 df.null = object$df.null, aic = object$aic, iterations = object$iterations,
                 converged = object$converged, separation = object$separation),
            class = "summary.statlearn_logistic_regression")
}

#' @export
print.summary.statlearn_logistic_regression <- function(x, digits = max(3L, getOption("digits") - 3L),
                                                        ...) {
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  cat(if (x$family == "binomial") sprintf("Logistic regression: log-odds of \"%s\"\n\n", x$levels[2L])
      else sprintf("Multinomial logistic regression: log-odds against \"%s\"\n\n", x$levels[1L]))
  stats::printCoefmat(x$coefficients, digits = digits)
  cat(sprintf("\n    Null deviance: %s on %d degrees of freedom\n",
              format(signif(x$null.deviance, digits + 2L)), as.integer(x$df.null)))
  cat(sprintf("Residual deviance: %s on %d degrees of freedom\n",
              format(signif(x$deviance, digits + 2L)), as.integer(x$df.residual)))
  cat(sprintf("AIC: %s\n\nNewton-Raphson iterations: %d%s\n", format(signif(x$aic, digits + 2L)),
              x$iterations, if (x$converged) "" else " (not converged)"))
  if (isTRUE(x$separation)) cat("Warning: the classes are separated; the estimates are not finite.\n")
  invisible(x)
}

#' Confidence intervals for logistic-regression coefficients
#'
#' Maximum-likelihood intervals (ESL 8.2.2) for the coefficients of a
#' [logistic_regression()] fit. `method = "wald"` gives \eqn{\hat\beta_j \pm
#' z_{(1+level)/2}\, se_j} from the observed information (the inverse of the
#' Hessian of the log-likelihood at the maximum, `vcov()`). `method =
#' "profile"` inverts the likelihood-ratio test instead: the limits are the
#' values \eqn{b} at which the deviance of the model refitted with
#' \eqn{\beta_j} held at \eqn{b} (the other coefficients re-estimated; in
#' practice an offset \eqn{b x_j}) exceeds the fit's deviance by
#' \eqn{\chi^2_1(level)}, found by root finding. Profile intervals follow
#' the shape of the likelihood, so they are asymmetric where it is, and are
#' better than Wald intervals for small samples or large effects. (Two
#' classes only.)
#'
#' @param object A [logistic_regression()] fit.
#' @param parm Coefficients (names or positions); all by default.
#' @param level The confidence level.
#' @param method `"wald"` or `"profile"`.
#' @param ... Unused.
#' @return A matrix with one row per coefficient and the lower and upper
#'   limits as columns. The profile refits need the training data, which are
#'   rebuilt from the fit's call (as [cross_validate()] does).
#' @references Hastie, Tibshirani and Friedman (2009), section 8.2.2.
#'   Venables and Ripley (2002), *Modern Applied Statistics with S*, section
#'   8.4 (profile likelihood for GLMs).
#' @family chapter 8
#' @export
#' @examples
#' fit <- logistic_regression(chd ~ tobacco + ldl + famhist + age, data = SAheart)
#' confint(fit)
#' confint(fit, method = "profile")
confint.statlearn_logistic_regression <- function(object, parm, level = 0.95,
                                                  method = c("wald", "profile"), ...) {
  check_dots(..., fun = "confint")
  level <- check_number(level, "level", 0, 1, lower_open = TRUE, upper_open = TRUE)
  method <- check_choice(method, c("wald", "profile"), "method")
  b <- logistic_coef_vector(object)
  se <- sqrt(diag(object$vcov))
  q <- stats::qnorm((1 + level) / 2)
  which <- if (missing(parm)) seq_along(b) else {
    p <- check_parm(parm, names(b))
    if (is.character(p)) match(p, names(b)) else p
  }
  ci <- cbind(b - q * se, b + q * se)[which, , drop = FALSE]
  if (method == "profile") {
    if (object$family != "binomial") {
      abort_input("method", "\"wald\" for a multinomial fit (profiles are for two classes)", "\"profile\"",
                  class = "statlearn_error_unsupported")
    }
    td <- logistic_training_data(object, parent.frame())
    for (r in seq_along(which)) {
      ci[r, ] <- logistic_profile_limits(object, td, which[r], b, se, q^2)
    }
  }
  pct <- paste(format(100 * c((1 - level) / 2, (1 + level) / 2), trim = TRUE, digits = 3), "%")
  dimnames(ci) <- list(names(b)[which], pct)
  ci
}

# The design (without the intercept column), class labels, weights and
# offset of a logistic fit, rebuilt from its call.
logistic_training_data <- function(object, env) {
  call <- object$call
  if (is.null(call)) {
    abort("The fit has no call to rebuild its training data from.",
          class = c("statlearn_error_missing", "statlearn_error_input"))
  }
  rebuild <- function(e) {
    if (!is.null(object$terms)) {
      mf <- logistic_model_frame(call, e)
      des <- formula_design(mf)
      list(x = des$x, y = des$y, weights = des$weights, offset = stats::model.offset(mf))
    } else {
      ev <- function(a) if (is.null(call[[a]])) NULL else eval(call[[a]], e)
      list(x = check_x(ev("x"), "x", names = FALSE), y = ev("y"), weights = ev("weights"),
           offset = ev("offset"))
    }
  }
  fenv <- if (!is.null(object$terms)) environment(object$terms)
  td <- tryCatch(if (is.null(fenv)) rebuild(env) else tryCatch(rebuild(fenv), error = function(e) rebuild(env)),
                 error = function(e) {
    abort(sprintf("Could not rebuild the training data from the fit's call (%s).", conditionMessage(e)),
          class = c("statlearn_error_missing", "statlearn_error_input"))
  })
  storage.mode(td$x) <- "double"
  if (nrow(td$x) != object$nobs) {
    abort("The training data rebuilt from the fit's call differ from the fit's (have they changed?).",
          class = c("statlearn_error_missing", "statlearn_error_input"))
  }
  td
}

# The profile-likelihood limits of coefficient j: where the deviance with
# beta_j fixed (an offset) exceeds the fit's by `crit`.
logistic_profile_limits <- function(object, td, j, b, se, crit) {
  n <- nrow(td$x)
  has_int <- isTRUE(object$intercept)
  col <- if (has_int && j == 1L) rep(1, n) else td$x[, j - has_int]
  rest <- if (has_int && j == 1L) td$x else td$x[, -(j - has_int), drop = FALSE]
  base <- if (is.null(td$offset)) numeric(n) else as.double(td$offset)
  y01 <- as.double(check_class_y(td$y, n) == object$levels[2L])
  w <- check_weights(td$weights, n)
  profile_deviance <- function(v) {
    off <- base + v * col
    if (ncol(rest) == 0L && !(has_int && j != 1L)) {
      p <- stats::plogis(off)
      return(-2 * sum(w * (y01 * log(pmax(p, 1e-300)) + (1 - y01) * log(pmax(1 - p, 1e-300)))))
    }
    withCallingHandlers(
      fit_logistic_regression(rest, td$y, td$weights, off, has_int && j != 1L, object$maxit,
                              object$epsilon, 1L)$deviance,
      statlearn_warning_convergence = function(w) invokeRestart("muffleWarning"),
      statlearn_warning_separation = function(w) invokeRestart("muffleWarning"))
  }
  excess <- function(v) profile_deviance(v) - object$deviance - crit
  limit <- function(direction) {
    step <- se[j]
    far <- b[j] + direction * step
    for (k in 1:30) {
      if (excess(far) > 0) break
      step <- 2 * step
      far <- b[j] + direction * step
      if (k == 30) return(if (direction < 0) -Inf else Inf)
    }
    stats::uniroot(excess, sort(c(b[j], far)), tol = 1e-10 * max(1, abs(b[j]), se[j]))$root
  }
  c(limit(-1), limit(1))
}

#' Predictions from a logistic regression
#'
#' @param object A [logistic_regression()] fit.
#' @param newdata New data: a data frame for formula fits, else a matrix with
#'   the training columns. Missing: the training data.
#' @param type `"class"` (a factor with the training levels), `"prob"` (the
#'   n x K matrix of class probabilities) or `"link"` (the log-odds: a vector
#'   for two classes, an n x (K-1) matrix against the baseline otherwise).
#' @param offset Offset for `newdata` (added to any `offset()` terms of the
#'   formula, which are evaluated in `newdata`). By default the offset
#'   argument of the fit's call is re-evaluated in `newdata`.
#' @param ... Unused.
#' @return A factor, matrix or vector as described for `type`.
#' @family chapter 4
#' @export
#' @examples
#' fit <- logistic_regression(chd ~ tobacco + ldl + famhist + age, data = SAheart)
#' head(predict(fit, SAheart, type = "prob"))
#' table(predict(fit, SAheart), SAheart$chd)
predict.statlearn_logistic_regression <- function(object, newdata, type = c("class", "prob", "link"),
                                                  offset = NULL, ...) {
  check_dots(..., fun = "predict")
  type <- check_choice(type, c("class", "prob", "link"), "type")
  if (missing(newdata) || is.null(newdata)) {
    eta <- object$linear.predictors
    prob <- object$fitted.values
  } else {
    x <- new_design(object, newdata)
    off <- 0
    if (!is.null(object$terms)) {
      tt <- stats::delete.response(object$terms)
      if (!is.null(attr(tt, "offset"))) {
        mf <- stats::model.frame(tt, as.data.frame(newdata), na.action = stats::na.pass,
                                 xlev = object$xlevels)
        off <- off + stats::model.offset(mf)
      }
      if (is.null(offset) && !is.null(object$call$offset)) {
        offset <- eval(object$call$offset, as.data.frame(newdata), environment(object$terms))
      }
    }
    if (!is.null(offset)) {
      if (!is.numeric(offset) || !(length(offset) %in% c(1L, nrow(x)))) {
        abort_input("offset", sprintf("a numeric vector of length %d", nrow(x)), describe(offset),
                    class = "statlearn_error_length")
      }
      check_finite_values(offset, "offset")
      off <- off + offset
    }
    B <- object$coefficients
    if (!is.matrix(B)) B <- matrix(B, 1L, dimnames = list(NULL, names(B)))
    xx <- if (object$intercept) cbind(1, x) else x
    eta <- xx %*% t(B) + off
    rn <- rownames(x)
    eta1 <- cbind(0, eta)
    m <- apply(eta1, 1L, max)
    e <- exp(eta1 - m)
    prob <- e / rowSums(e)
    dimnames(prob) <- list(rn, object$levels)
    if (object$family == "binomial") {
      eta <- stats::setNames(drop(eta), rn)
    } else {
      dimnames(eta) <- list(rn, object$levels[-1L])
    }
  }
  switch(type,
    link = eta,
    prob = prob,
    class = stats::setNames(class_factor(max.col(prob, ties.method = "first"), object$levels),
                            rownames(prob))
  )
}

#' Wald tests for logistic regression coefficients
#'
#' Tests that a group of coefficients is zero by the Wald statistic
#' \eqn{\hat\beta_S' \hat V_{SS}^{-1} \hat\beta_S}, referred to a chi-squared
#' distribution with |S| degrees of freedom (ESL section 4.4.2). For a
#' single coefficient it is the square of the Z score of `summary()`.
#'
#' @param fit A [logistic_regression()] fit.
#' @param terms The coefficients to test: names (as in `names(coef(fit))`, or
#'   `rownames(vcov(fit))` for multinomial fits), term labels of the formula
#'   (all coefficients of the term, for factors with several levels), or
#'   positions.
#' @return A data frame with the statistic `Chisq`, `Df` and `Pr(>Chisq)`,
#'   one row.
#' @references Hastie, Tibshirani and Friedman (2009), section 4.4.2.
#' @family chapter 4
#' @export
#' @examples
#' fit <- logistic_regression(chd ~ sbp + tobacco + ldl + famhist + obesity +
#'                              alcohol + age, data = SAheart)
#' wald_test(fit, c("sbp", "obesity", "alcohol"))
wald_test <- function(fit, terms) {
  if (!inherits(fit, "statlearn_logistic_regression")) {
    abort_input("fit", "a logistic_regression() fit", describe(fit), class = "statlearn_error_type")
  }
  b <- logistic_coef_vector(fit)
  idx <- wald_index(fit, terms)
  V <- fit$vcov[idx, idx, drop = FALSE]
  bs <- b[idx]
  stat <- drop(crossprod(bs, solve_equilibrated(V, bs)))
  df <- length(idx)
  structure(data.frame(Chisq = stat, Df = df, `Pr(>Chisq)` = stats::pchisq(stat, df, lower.tail = FALSE),
                       check.names = FALSE, row.names = paste(names(b)[idx], collapse = ", ")),
            heading = "Wald test that the coefficients are zero\n",
            class = c("anova", "data.frame"))
}

wald_index <- function(fit, terms) {
  nm <- rownames(fit$vcov)
  if (is.numeric(terms)) {
    if (!length(terms) || anyNA(terms) || any(terms < 1 | terms > length(nm) | terms != round(terms))) {
      abort_input("terms", sprintf("positions in 1..%d", length(nm)), describe(terms),
                  class = "statlearn_error_range")
    }
    return(unique(as.integer(terms)))
  }
  if (!is.character(terms) || !length(terms)) {
    abort_input("terms", "coefficient names, term labels or positions", describe(terms),
                class = "statlearn_error_type")
  }
  cn <- c(if (fit$intercept) "(Intercept)", fit$xnames)
  q <- length(cn)
  col_of <- rep(seq_len(q), length.out = length(nm))
  out <- integer()
  for (t in terms) {
    hit <- which(nm == t)
    if (!length(hit)) hit <- which(col_of %in% which(cn == t))
    if (!length(hit) && !is.null(fit$term_labels) && t %in% fit$term_labels) {
      cols <- which(fit$assign == match(t, fit$term_labels)) + as.integer(fit$intercept)
      hit <- which(col_of %in% cols)
    }
    if (!length(hit)) {
      abort_input("terms", "coefficient names or term labels of the fit",
                  sprintf('"%s"', t), class = "statlearn_error_range")
    }
    out <- c(out, hit)
  }
  unique(out)
}

#' @export
anova.statlearn_logistic_regression <- function(object, ..., test = c("LRT", "Wald")) {
  test <- check_choice(test, c("LRT", "Wald", "Chisq"), "test")
  if (test == "Chisq") test <- "LRT"
  fits <- c(list(object), list(...))
  if (length(fits) < 2L) {
    abort_input("...", "a second, nested logistic_regression() fit to compare with", "none",
                class = "statlearn_error_missing")
  }
  ok <- vapply(fits, inherits, logical(1), "statlearn_logistic_regression")
  if (!all(ok)) abort_input("...", "logistic_regression() fits", "another kind of object",
                            class = "statlearn_error_type")
  n <- vapply(fits, function(f) f$nobs, numeric(1))
  if (length(unique(n)) > 1L) abort_input("...", "fits to the same observations",
                                          "fits with different numbers of rows",
                                          class = "statlearn_error_length")
  dfr <- vapply(fits, function(f) f$df.residual, numeric(1))
  dev <- vapply(fits, function(f) f$deviance, numeric(1))
  ddf <- c(NA, -diff(dfr))
  if (test == "LRT") {
    ddev <- c(NA, -diff(dev))
    p <- stats::pchisq(abs(ddev), abs(ddf), lower.tail = FALSE)
    tab <- data.frame(`Resid. Df` = dfr, `Resid. Dev` = dev, Df = ddf, Deviance = ddev,
                      `Pr(>Chi)` = p, check.names = FALSE)
    head <- "Analysis of deviance: likelihood-ratio tests between nested logistic regressions\n"
  } else {
    stat <- c(NA, vapply(seq_along(fits)[-1L], function(k) {
      a <- fits[[k - 1L]]; b <- fits[[k]]
      big <- if (a$rank >= b$rank) a else b
      small <- if (a$rank >= b$rank) b else a
      extra <- setdiff(rownames(big$vcov), rownames(small$vcov))
      if (!length(extra)) return(NA_real_)
      wald_test(big, extra)$Chisq
    }, numeric(1)))
    tab <- data.frame(`Resid. Df` = dfr, Df = ddf, Chisq = stat,
                      `Pr(>Chisq)` = stats::pchisq(stat, abs(ddf), lower.tail = FALSE),
                      check.names = FALSE)
    head <- "Wald tests between nested logistic regressions\n"
  }
  structure(tab, heading = head, class = c("anova", "data.frame"))
}

# Rebuild the design, response, weights and offset of a fit from its call.
logistic_training <- function(fit, env) {
  call <- fit$call
  if (is.null(call)) {
    abort("The fit has no call to rebuild its training data from.",
          class = c("statlearn_error_missing", "statlearn_error_input"))
  }
  if (!is.null(fit$terms)) {
    # The data are looked up where the formula was written (as update() and
    # model.frame() do), so that a fit made inside a function can be stepped;
    # then in the caller's environment.
    fenv <- environment(fit$terms)
    mf <- tryCatch(logistic_model_frame(call, if (is.null(fenv)) env else fenv),
                   statlearn_error_formula = function(e) logistic_model_frame(call, env))
    des <- formula_design(mf, fit$contrasts)
    x <- des$x
    storage.mode(x) <- "double"
    return(list(x = x, y = des$y, weights = des$weights, offset = stats::model.offset(mf),
                assign = des$assign, labels = attr(des$terms, "term.labels")))
  }
  ev <- function(e) if (is.null(e)) NULL else eval(e, env)
  x <- check_x(ev(call$x), "x")
  list(x = x, y = ev(call$y), weights = ev(call$weights), offset = ev(call$offset),
       assign = seq_len(ncol(x)), labels = colnames(x))
}

#' Stepwise selection of terms for logistic regression
#'
#' Backward elimination (the default), forward selection or both for a
#' [logistic_regression()] fit, by AIC (deviance + 2 x number of
#' coefficients) or BIC, one term at a time as [stats::step()] does for
#' `glm`. Terms are the terms of the formula (a factor is added or dropped
#' with all its dummy columns) or the columns of a matrix fit. Backward
#' starts from the fit and forward from the intercept-only model; each step
#' makes the change that lowers the criterion most and the search stops when
#' no change lowers it.
#'
#' @param x A [logistic_regression()] fit.
#' @param direction `"backward"`, `"forward"` or `"both"`.
#' @param criterion `"AIC"` or `"BIC"`.
#' @param ... Unused.
#' @return The selected [logistic_regression()] fit, with a data frame
#'   `steps` of the changes made and the criterion after each.
#' @references Hastie, Tibshirani and Friedman (2009), section 4.4.2, Table 4.3.
#' @family chapter 4
#' @export
#' @examples
#' fit <- logistic_regression(chd ~ sbp + tobacco + ldl + famhist + obesity +
#'                              alcohol + age, data = SAheart)
#' stepwise(fit)   # ESL Table 4.3
stepwise.statlearn_logistic_regression <- function(x, direction = c("backward", "forward", "both"),
                                                   criterion = c("AIC", "BIC"), ...) {
  check_dots(..., fun = "stepwise")
  fit <- x
  direction <- check_choice(direction, c("backward", "forward", "both"), "direction")
  criterion <- check_choice(criterion, c("AIC", "BIC"), "criterion")
  td <- logistic_training(fit, parent.frame())
  labels <- td$labels
  nterm <- length(labels)
  k <- if (criterion == "AIC") 2 else log(sum(fit$weights > 0))
  threads <- 1L
  refit <- function(keep) {
    cols <- which(td$assign %in% which(keep))
    suppressWarnings(fit_logistic_regression(td$x[, cols, drop = FALSE], td$y, td$weights, td$offset,
                                             fit$intercept, fit$maxit, fit$epsilon, threads))
  }
  crit <- function(f) f$deviance + k * f$rank
  keep <- if (direction == "forward") rep(FALSE, nterm) else rep(TRUE, nterm)
  current <- refit(keep)
  steps <- data.frame(step = 0L, change = "(start)", df = current$rank,
                      deviance = current$deviance, criterion = crit(current),
                      stringsAsFactors = FALSE)
  repeat {
    cand <- integer()
    if (direction != "forward") cand <- c(cand, which(keep))
    if (direction != "backward") cand <- c(cand, which(!keep))
    if (!length(cand)) break
    fits <- lapply(cand, function(j) { kk <- keep; kk[j] <- !kk[j]; refit(kk) })
    vals <- vapply(fits, crit, numeric(1))
    best <- which.min(vals)
    if (!(vals[best] < crit(current) - 1e-10)) break
    j <- cand[best]
    change <- paste(if (keep[j]) "-" else "+", labels[j])
    keep[j] <- !keep[j]
    current <- fits[[best]]
    steps <- rbind(steps, data.frame(step = nrow(steps), change = change, df = current$rank,
                                     deviance = current$deviance, criterion = vals[best],
                                     stringsAsFactors = FALSE))
  }
  names(steps)[names(steps) == "criterion"] <- criterion
  # Re-fit the selected model properly (with its warnings), through the same interface.
  final <- fit_logistic_regression(td$x[, which(td$assign %in% which(keep)), drop = FALSE], td$y,
                                   td$weights, td$offset, fit$intercept, fit$maxit, fit$epsilon,
                                   NULL)
  if (!is.null(fit$terms)) {
    tt <- fit$terms
    drop <- which(!keep)
    if (length(drop)) {
      tt <- if (all(!keep)) {
        stats::terms(stats::update(stats::formula(tt), . ~ 1))
      } else stats::drop.terms(tt, drop, keep.response = TRUE)
      attr(tt, "dataClasses") <- attr(fit$terms, "dataClasses")
    }
    final$terms <- tt
    final$xlevels <- fit$xlevels[intersect(names(fit$xlevels), all.vars(tt))]
    final$contrasts <- fit$contrasts[intersect(names(fit$contrasts), all.vars(tt))]
    final$assign <- match(td$assign[td$assign %in% which(keep)], which(keep))
    final$term_labels <- attr(tt, "term.labels")
    final$na.action <- fit$na.action
    call <- fit$call
    call$formula <- stats::formula(tt)
    final$call <- call
  } else {
    call <- fit$call
    call$x <- bquote(.(call$x)[, .(which(keep)), drop = FALSE])
    final$call <- call
  }
  final$steps <- steps
  final
}

#' Plot a logistic regression
#'
#' `type = "calibration"` (the default) checks the fitted probabilities: the
#' observations are grouped into `bins` groups of about equal size by fitted
#' probability, and the observed fraction of each class is drawn against the
#' mean fitted probability, with binomial 95% intervals; a calibrated model
#' lies on the diagonal. A multinomial fit gives one curve per class.
#' `type = "residuals"` draws deviance residuals against the linear predictor
#' (binomial fits), and `type = "regions"` the decision regions over two inputs
#' ([plot.statlearn_classifier()]).
#'
#' @param x A [logistic_regression()] fit.
#' @param type `"calibration"`, `"residuals"` or `"regions"`.
#' @param bins Number of groups for the calibration plot.
#' @param ... Further arguments: graphical parameters, or for
#'   `type = "regions"` the arguments of [plot.statlearn_classifier()].
#' @return `x`, invisibly.
#' @family chapter 4
#' @export
#' @examples
#' fit <- logistic_regression(chd ~ sbp + tobacco + ldl + famhist + obesity + alcohol + age,
#'                            data = SAheart)
#' plot(fit)
#' plot(fit, type = "residuals")
plot.statlearn_logistic_regression <- function(x, type = c("calibration", "residuals", "regions"),
                                               bins = 10L, ...) {
  type <- check_choice(type, c("calibration", "residuals", "regions"), "type")
  if (type == "regions") {
    dots <- list(...)
    if (is.null(dots$main)) dots$main <- "Logistic regression"
    return(do.call(plot.statlearn_classifier, c(list(x), dots)))
  }
  extra <- list(...)
  P <- as.matrix(x$fitted.values)
  y <- as.integer(x$y)
  w <- x$weights %||% rep(1, length(y))
  if (type == "residuals") {
    if (ncol(P) != 2L) {
      abort_input("type", "\"calibration\" or \"regions\" for a multinomial fit", "\"residuals\"",
                  class = "statlearn_error_unsupported")
    }
    r <- stats::residuals(x)
    args <- list(x = x$linear.predictors, y = r, xlab = "Linear predictor",
                 ylab = "Deviance residuals", main = "Logistic regression",
                 col = class_colours(2L)[y], cex = 0.7)
    args[names(extra)] <- extra
    do.call(graphics::plot, args)
    graphics::abline(h = 0, lty = 3, col = "grey50")
    return(invisible(x))
  }
  bins <- check_count(bins, "bins", lower = 2, upper = max(2L, length(y)))
  classes <- if (ncol(P) == 2L) 2L else seq_len(ncol(P))
  col <- if (ncol(P) == 2L) "black" else class_colours(ncol(P))
  args <- list(x = c(0, 1), y = c(0, 1), type = "n", xlab = "Mean fitted probability",
               ylab = "Observed fraction", main = "Calibration", xlim = c(0, 1), ylim = c(0, 1))
  args[names(extra)] <- extra
  do.call(graphics::plot, args)
  graphics::abline(0, 1, lty = 3, col = "grey50")
  for (k in classes) {
    pk <- P[, k]
    br <- unique(stats::quantile(pk, seq(0, 1, length.out = bins + 1L), names = FALSE, type = 1))
    g <- if (length(br) > 1L) cut(pk, br, include.lowest = TRUE) else factor(rep(1, length(pk)))
    sw <- tapply(w, g, sum)
    mean_p <- tapply(w * pk, g, sum) / sw
    obs <- tapply(w * (y == k), g, sum) / sw
    se <- sqrt(pmax(mean_p * (1 - mean_p), 1e-12) / tapply(w > 0, g, sum))
    lo <- pmax(obs - 1.96 * se, 0)
    hi <- pmin(obs + 1.96 * se, 1)
    bar <- hi - lo > 1e-3  # a zero-length arrow would warn
    graphics::arrows(mean_p[bar], lo[bar], mean_p[bar], hi[bar], angle = 90, code = 3,
                     length = 0.02, col = col[min(k, length(col))])
    graphics::lines(mean_p, obs, type = "b", pch = 19, cex = 0.7, col = col[min(k, length(col))])
  }
  if (length(classes) > 1L) {
    graphics::legend("topleft", legend = colnames(P), col = col, lty = 1, pch = 19, bty = "n",
                     cex = 0.75)
  } else {
    graphics::mtext(sprintf("P(%s = %s)", "class", colnames(P)[2L]), side = 3, line = 0.2, cex = 0.7)
  }
  invisible(x)
}
