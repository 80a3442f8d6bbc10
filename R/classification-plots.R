#' Plot a classifier's decision regions
#'
#' Draws the classes a fit predicts over a grid of two inputs, the boundaries
#' between them, and the data coloured by class, as in ESL Figures 4.1, 4.5,
#' 4.6 and 4.14-4.16. With more than two inputs the others are held at their
#' training means, so the picture is a slice of the decision rule through the
#' centre of the data (the subtitle says so). Discriminant analysis fits also
#' mark the class means.
#'
#' For [linear_discriminant()] fits, `plot()` shows the data in canonical
#' coordinates instead (ESL Figure 4.4); [logistic_regression()] fits draw a
#' calibration plot by default.
#'
#' @param x A classification fit: [quadratic_discriminant()],
#'   [regularized_discriminant()], [indicator_regression()], [perceptron()],
#'   [separating_hyperplane()], or [logistic_regression()] with
#'   `type = "regions"`.
#' @param dimensions Two inputs to draw, by number or name (columns of the
#'   design, as `x$xnames` lists them).
#' @param newdata,y Data to draw instead of the training data (the same form
#'   as for `predict()`), with their classes `y`.
#' @param resolution Grid points along each axis.
#' @param legend Draw a legend of the classes above the plot?
#' @param col Colours of the classes, in the order of their levels (by
#'   default the package's palette, first class orange).
#' @param ... Further graphical parameters passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @family chapter 4
#' @export
#' @examples
#' fit <- quadratic_discriminant(Species ~ Petal.Length + Petal.Width, data = iris)
#' plot(fit)
#' fit4 <- quadratic_discriminant(Species ~ ., data = iris)
#' plot(fit4, dimensions = c("Petal.Length", "Petal.Width"))
plot.statlearn_classifier <- function(x, dimensions = c(1L, 2L), newdata = NULL, y = NULL,
                                      resolution = 150L, legend = TRUE, col = NULL, ...) {
  resolution <- check_count(resolution, "resolution", lower = 10, upper = 2000)
  legend <- check_flag(legend, "legend")
  p <- length(x$xnames)
  if (p < 2L) {
    abort(sprintf("A decision-region plot needs at least two inputs; this fit has %d.", p),
          class = c("statlearn_error_unsupported", "statlearn_error_input"))
  }
  dims <- check_plot_dimensions(dimensions, x$xnames)
  td <- training_data(x, parent.frame(), raw_response = TRUE)
  if (is.null(newdata)) {
    X <- td$x
    cls <- td$y
  } else {
    if (is.null(y)) {
      abort_input("y", "the classes of `newdata`", "nothing", class = "statlearn_error_missing")
    }
    X <- new_design(x, newdata)
    cls <- y
    if (length(cls) != nrow(X)) {
      abort_input("y", sprintf("%d classes, one per row of `newdata`", nrow(X)),
                  sprintf("%d", length(cls)), class = "statlearn_error_length")
    }
  }
  levels <- classifier_levels(x)
  cls <- factor(as.character(cls), levels = levels)
  X <- as.matrix(X)
  centre <- colMeans(as.matrix(td$x))
  r1 <- grid_range(X[, dims[1L]])
  r2 <- grid_range(X[, dims[2L]])
  g1 <- seq(r1[1L], r1[2L], length.out = resolution)
  g2 <- seq(r2[1L], r2[2L], length.out = resolution)
  G <- matrix(centre, resolution^2, p, byrow = TRUE, dimnames = list(NULL, x$xnames))
  G[, dims[1L]] <- g1
  G[, dims[2L]] <- rep(g2, each = resolution)
  bare <- single_classifier(x)  # predict from design columns, as drawn
  pred <- factor(as.character(stats::predict(bare, G, type = "class")), levels = levels)
  Z <- matrix(as.integer(pred), resolution, resolution)
  K <- length(levels)
  score <- region_scores(bare, G, K)  # smooth margins, so boundaries are not staircases
  if (is.null(col)) {
    col <- class_colours(K)
  } else if (length(col) != K || anyNA(col)) {
    abort_input("col", sprintf("%d colours, one per class (%s)", K, paste(levels, collapse = ", ")),
                describe(col), class = "statlearn_error_length")
  }
  args <- list(x = X[, dims[1L]], y = X[, dims[2L]], type = "n", xlab = x$xnames[dims[1L]],
               ylab = x$xnames[dims[2L]], main = x$method, xlim = r1, ylim = r2, xaxs = "i",
               yaxs = "i")
  extra <- list(...)
  args[names(extra)] <- extra
  main <- args$main
  if (legend) args$main <- NULL  # drawn above the legend below
  do.call(graphics::plot, args)
  graphics::image(g1, g2, Z, col = grDevices::adjustcolor(col, alpha.f = 0.18),
                  breaks = seq(0.5, K + 0.5), add = TRUE)
  for (k in seq_len(K)) {
    if (any(Z == k) && any(Z != k)) {
      S <- if (is.null(score)) (Z == k) - 0.5 else matrix(score[, k], resolution, resolution)
      graphics::contour(g1, g2, S, levels = 0, drawlabels = FALSE, add = TRUE, col = "grey20",
                        lwd = 1.2)
    }
  }
  ok <- !is.na(cls)
  graphics::points(X[ok, dims[1L]], X[ok, dims[2L]], col = col[as.integer(cls[ok])],
                   pch = c(1, 2, 0, 5, 6, 3, 4, 8)[(as.integer(cls[ok]) - 1L) %% 8L + 1L], cex = 0.7)
  if (!is.null(x$means)) {
    M <- as.matrix(x$means)
    if (ncol(M) != p) M <- t(M)
    graphics::points(M[, dims[1L]], M[, dims[2L]], pch = 21, bg = col, col = "black", cex = 1.8,
                     lwd = 1.5)
  }
  graphics::box()
  if (p > 2L) {
    graphics::mtext("other inputs held at their training means", side = 3, line = 0.2, cex = 0.7)
  }
  if (legend) {
    graphics::title(main = main, line = if (p > 2L) 2.9 else 2.4)
    usr <- graphics::par("usr")
    up <- graphics::strheight("M", cex = 0.7) * if (p > 2L) 2.4 else 0.3
    graphics::legend(mean(usr[1:2]), usr[4L] + up, legend = levels, col = col,
                     pch = c(1, 2, 0, 5, 6, 3, 4, 8)[(seq_len(K) - 1L) %% 8L + 1L],
                     horiz = TRUE, bty = "n", cex = 0.75, xpd = TRUE, xjust = 0.5, yjust = 0)
  }
  invisible(x)
}

check_plot_dimensions <- function(dimensions, xnames) {
  p <- length(xnames)
  dims <- if (is.character(dimensions)) match(dimensions, xnames) else dimensions
  if (length(dims) != 2L || anyNA(dims) || !is.numeric(dims) || any(dims < 1 | dims > p) ||
      any(dims != round(dims)) || dims[1L] == dims[2L]) {
    abort_input("dimensions", sprintf("two different inputs among the %d (%s)", p,
                                      paste(utils::head(xnames, 6L), collapse = ", ")),
                describe(dimensions), class = "statlearn_error_range")
  }
  as.integer(dims)
}

grid_range <- function(v) {
  r <- range(v, finite = TRUE)
  if (r[1L] == r[2L]) r <- r + c(-1, 1)
  r + c(-1, 1) * 0.04 * diff(r)
}

classifier_levels <- function(fit) {
  if (!is.null(fit$levels)) fit$levels else if (!is.null(fit$classes)) fit$classes
  else abort("The fit does not record its classes.", class = "statlearn_error_input")
}

# For each class, a continuous score that is positive exactly where the class
# is predicted: its posterior probability minus the largest other one, or for
# two-class hyperplanes the signed distance. NULL when the fit has neither.
region_scores <- function(fit, G, K) {
  if (inherits(fit, "statlearn_prototypes") &&
      (fit$prototype_method %||% "k_means") %in% c("k_means", "lvq")) {
    # Nearest-prototype rules: minus the distance to each class's nearest prototype.
    P <- -sqrt(stats::predict(fit, G, type = "distance"))
    return(vapply(seq_len(K), function(k) P[, k] - apply(P[, -k, drop = FALSE], 1L, max),
                  numeric(nrow(P))))
  }
  P <- tryCatch(as.matrix(stats::predict(fit, G, type = "prob")), error = function(e) NULL)
  if (is.null(P) && inherits(fit, c("statlearn_hyperplane", "statlearn_indicator_regression"))) {
    P <- tryCatch(as.matrix(stats::predict(fit, G, type = "link")), error = function(e) NULL)
    if (!is.null(P) && ncol(P) == 1L && K == 2L) P <- cbind(-P, P)
  }
  if (is.null(P) || ncol(P) != K) return(NULL)
  vapply(seq_len(K), function(k) P[, k] - apply(P[, -k, drop = FALSE], 1L, max), numeric(nrow(P)))
}

# The fit as a classifier of design matrices with one setting: no formula
# (predict() then takes the design columns), and the first k of a
# nearest-neighbour fit given several.
single_classifier <- function(fit) {
  fit$terms <- NULL
  if (length(fit$k) > 1L) {
    fit$k <- fit$k[1L]
    fit$method <- neighbour_method_label(fit$k, fit$metric)
  }
  fit
}
