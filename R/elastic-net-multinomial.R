# The elastic net for multinomial responses: fitting, coefficients, prediction,
# plots and cross-validation. The user-facing entry points are elastic_net()
# and lasso() with family = "multinomial".

# Class codes 1..K of y against the training classes.
multinomial_codes <- function(y, n, classes, arg = "y") {
  f <- check_class_y(y, n, arg, min_classes = 1L)
  unseen <- setdiff(levels(f), classes)
  if (length(unseen)) {
    abort_input(arg, sprintf("classes among the training classes (%s)", paste(classes, collapse = ", ")),
                sprintf("unseen class(es) %s", paste0('"', unseen, '"', collapse = ", ")),
                class = "statlearn_error_level")
  }
  match(as.character(f), classes)
}

fit_multinomial_net <- function(x, xnames, y, weights, offset, opt, type) {
  if (!is.null(offset)) {
    abort_input("offset", 'NULL for family = "multinomial"', describe(offset),
                class = "statlearn_error_unsupported")
  }
  f <- check_class_y(y, nrow(x), "y")
  classes <- levels(f)
  K <- length(classes)
  w <- check_weights(weights, nrow(x))
  Y <- matrix(0, nrow(x), K)
  Y[cbind(seq_len(nrow(x)), as.integer(f))] <- 1
  if (any(opt$lower > -Inf) || any(opt$upper < Inf)) {
    abort_input("lower", 'no bounds for family = "multinomial"', "bounds",
                class = "statlearn_error_unsupported")
  }
  da <- design_args(x)
  res <- cpp_multinomial_elastic_net(da$x, da$sp_i, da$sp_p, da$sp_x, da$n, da$p, Y, w,
                                     type == "grouped", opt)
  warn_path_convergence(res, opt)
  L <- length(res$lambda)
  beta <- res$beta
  dimnames(beta) <- list(xnames, classes, paste0("s", seq_len(L) - 1L))
  a0 <- res$a0
  dimnames(a0) <- list(classes, paste0("s", seq_len(L) - 1L))
  scales <- if (opt$standardize) res$scales else rep(1, ncol(x))
  norm <- vapply(seq_len(L), function(l) sum(abs(beta[, , l] * scales)), numeric(1))
  new_path_fit(list(
    a0 = a0, beta = beta, lambda = res$lambda, df = res$df, dev_ratio = res$dev_ratio,
    nulldev = res$null_deviance * sum(w), tuning_name = "lambda", tuning = res$lambda,
    axes = list(lambda = res$lambda, norm = norm, df = res$df),
    complexity = norm, complexity_name = "L1 norm (standardised)",
    alpha = opt$alpha, family = "multinomial", type_multinomial = type, options = opt,
    scales = scales, classes = classes, xnames = xnames, nobs = nrow(x), y = as.integer(f),
    weights = w, sparse_ok = TRUE, converged = res$converged, passes = res$passes,
    method = paste0(if (opt$alpha == 1) "Lasso" else sprintf("Elastic net (alpha = %g)", opt$alpha),
                    ", multinomial", if (type == "grouped") " (grouped)")
  ), c("statlearn_multinomial_net", "statlearn_elastic_net"))
}

# Coefficients: a list with one (p + 1) x L matrix (or vector) per class.
#' @export
coef.statlearn_multinomial_net <- function(object, lambda = NULL, ...) {
  check_dots(..., fun = "coef")
  p <- length(object$xnames)
  out <- lapply(seq_along(object$classes), function(k) {
    class_path <- list(a0 = object$a0[k, ], beta = matrix(object$beta[, k, ], nrow = p),
                       xnames = object$xnames)
    if (!is.null(lambda)) return(path_coef_interpolate(class_path, object$lambda, lambda, "lambda"))
    full <- rbind(class_path$a0, class_path$beta)
    dimnames(full) <- list(c("(Intercept)", object$xnames), paste0("lambda=", signif(object$lambda, 4)))
    full
  })
  names(out) <- object$classes
  out
}

#' Predictions from a multinomial elastic net
#'
#' Class predictions, probabilities or linear predictors along the path of a
#' `lasso(family = "multinomial")` or `elastic_net(family = "multinomial")`
#' fit (ESL 4.4.4, 18.4).
#'
#' @param object A multinomial fit.
#' @param newx New predictors: a data frame for formula fits, else a matrix
#'   with the training columns.
#' @param lambda Penalty values (interpolated between the path's); `NULL`
#'   for the whole path.
#' @param type `"class"` (a factor, or a matrix with one column per lambda),
#'   `"prob"` or `"link"` (arrays n x K x lambda).
#' @param ... Unused.
#' @return See `type`.
#' @family chapter 4
#' @export
#' @examples
#' fit <- lasso(Species ~ ., data = iris, family = "multinomial", threads = 1)
#' head(predict(fit, iris, lambda = 0.05, type = "prob"))
predict.statlearn_multinomial_net <- function(object, newx, lambda = NULL, type = c("class", "prob", "link"), ...) {
  check_dots(..., fun = "predict")
  type <- check_choice(type, c("class", "prob", "link"), "type")
  if (is.null(lambda)) lambda <- object$lambda
  x <- if (missing(newx) || is.null(newx)) training_data(object, parent.frame())$x
       else new_design(object, newx, arg = "newx", sparse_ok = TRUE)
  B <- coef(object, lambda = lambda)
  K <- length(object$classes)
  G <- length(lambda)
  link <- array(0, c(nrow(x), K, G), dimnames = list(rownames(x), object$classes, paste0("lambda=", signif(lambda, 4))))
  for (k in seq_len(K)) {
    bk <- matrix(B[[k]], ncol = G)
    link[, k, ] <- as.matrix(x %*% bk[-1L, , drop = FALSE]) + rep(bk[1L, ], each = nrow(x))
  }
  if (type == "link") return(if (G == 1L) link[, , 1L] else link)
  prob <- link
  for (g in seq_len(G)) {
    e <- matrix(link[, , g], nrow(x), K)
    e <- exp(e - apply(e, 1L, max))
    prob[, , g] <- e / rowSums(e)
  }
  if (type == "prob") return(if (G == 1L) prob[, , 1L] else prob)
  cls <- vapply(seq_len(G), function(g) max.col(matrix(prob[, , g], nrow(x), K), ties.method = "first"),
                integer(nrow(x)))
  if (G == 1L) return(class_factor(cls, object$classes))
  matrix(object$classes[cls], nrow(x), dimnames = list(rownames(x), dimnames(link)[[3L]]))
}

#' @export
fitted.statlearn_multinomial_net <- function(object, ...) predict(object, type = "prob", ...)

#' @export
residuals.statlearn_multinomial_net <- function(object, ...) {
  check_dots(..., fun = "residuals")
  abort("residuals() is not defined for multinomial fits; use predict(type = \"prob\").",
        class = c("statlearn_error_unsupported", "statlearn_error_input"))
}

#' @export
plot.statlearn_multinomial_net <- function(x, xvar = names(x$axes)[1L], label = TRUE,
                                           log_lambda = TRUE, class = 1L, cv = NULL, ...) {
  k <- if (is.character(class)) match(class, x$classes) else class
  if (length(k) != 1L || is.na(k) || k < 1L || k > length(x$classes)) {
    abort_input("class", sprintf("one of the classes (%s) or its number", paste(x$classes, collapse = ", ")),
                describe(class), class = "statlearn_error_range")
  }
  y <- x
  y$beta <- matrix(x$beta[, k, ], nrow = length(x$xnames), dimnames = list(x$xnames, NULL))
  y$method <- sprintf("%s: class %s", x$method, x$classes[k])
  plot.statlearn_path(y, xvar = xvar, label = label, log_lambda = log_lambda, cv = cv, ...)
  invisible(x)
}

#' @export
print.statlearn_multinomial_net <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s path: %d points, n = %d, p = %d, K = %d classes\n", x$method, length(x$lambda),
              x$nobs, length(x$xnames), length(x$classes)))
  tab <- data.frame(lambda = x$lambda, df = x$df, dev_ratio = x$dev_ratio)
  show <- if (nrow(tab) > 12L) unique(round(seq(1, nrow(tab), length.out = 12L))) else seq_len(nrow(tab))
  print(format(tab[show, , drop = FALSE], digits = digits), row.names = FALSE)
  invisible(x)
}

#' @export
cv_predictions.statlearn_multinomial_net <- function(fit, x, y, weights, foldid, threads) {
  opt <- fit$options
  opt$lambda <- fit$lambda
  opt$threads <- threads
  Y <- matrix(0, nrow(x), length(fit$classes))
  Y[cbind(seq_len(nrow(x)), y)] <- 1
  da <- design_args(x)
  links <- cpp_multinomial_elastic_net_cv(da$x, da$sp_i, da$sp_p, da$sp_x, da$n, da$p, Y, weights,
                                          identical(fit$type_multinomial, "grouped"),
                                          as.integer(foldid), max(foldid), opt)
  structure(links, family = "multinomial")
}
