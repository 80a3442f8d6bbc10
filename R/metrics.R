# Metrics for nearest neighbours (ESL 13.3.3 and 13.4): tangent distance,
# invariant to small transformations of images, and the discriminant adaptive
# metric (DANN). Each is a small classed list given to nearest_neighbors() as
# `metric`; the fit stores it and neighbour_search() dispatches on it.

tangent_transformations <- c("translate_x", "translate_y", "rotate", "scale", "shear_parallel",
                             "shear_diagonal", "thickness")

#' Tangent distance: a metric invariant to small image transformations
#'
#' `tangent_metric()` describes the tangent distance of ESL 13.3.3 (Simard,
#' LeCun and Denker) for images, to give to [nearest_neighbors()] as
#' `metric`; `tangent_distance()` computes it between images and
#' `image_tangents()` returns the tangent images of one image (ESL Figure
#' 13.10 shows them for a digit).
#'
#' A small translation, rotation, scaling, shear or thickening of an image
#' moves it along a curve in \eqn{R^p}; near the image the curve is close to
#' its tangent line, and the transformations together span a tangent plane.
#' The tangent distance between two images is the shortest distance between
#' their tangent planes (two-sided) or from the first image to the second's
#' plane (one-sided), so images that differ by small transformations are
#' close even when their pixels differ a lot.
#'
#' Tangents come from the gradients \eqn{I_x, I_y} of the image smoothed by a
#' Gaussian of standard deviation `smoothing` pixels (central differences,
#' borders replicated), with pixel coordinates \eqn{(u, v)} measured from the
#' image centre: translations \eqn{I_x}, \eqn{I_y}; rotation
#' \eqn{v I_x - u I_y}; scaling \eqn{u I_x + v I_y}; parallel hyperbolic shear
#' \eqn{u I_x - v I_y}; diagonal hyperbolic shear \eqn{v I_x + u I_y}; line
#' thickness \eqn{I_x^2 + I_y^2}. The distance is between the unsmoothed
#' images; each image's tangents are orthonormalised, and the two-sided
#' distance solves a least-squares problem in at most 14 unknowns per pair.
#' Transformations are not limited in size (no penalty), as in the book.
#' With the defaults, 1-NN on the zip digits has test error 3.5%, against
#' 2.6% in ESL Table 13.1 (from Simard et al.'s own system); smoothing by
#' 0.25 to 1 pixel, comparing smoothed images, or a penalty on the size of the
#' transformations changes it by a few test digits only.
#'
#' Searching all training images by tangent distance costs one such problem
#' per pair, so [nearest_neighbors()] first takes each query's `candidates`
#' nearest training images by Euclidean distance (the exact blocked search)
#' and ranks only those by tangent distance. This is an approximation: a
#' training image outside the Euclidean candidates is never considered, even
#' if its tangent distance is smaller. `candidates = Inf` ranks every
#' training image (exhaustive and exact, but about n / `candidates` times
#' slower). On the zip digits, 50 and 200 candidates give the same 1-NN test
#' error.
#'
#' @param height,width Image size in pixels; images are stored row by row
#'   (the first `width` values are the top row), so they have
#'   `height * width` values.
#' @param transformations Which tangents to use: any of `"translate_x"`,
#'   `"translate_y"`, `"rotate"`, `"scale"`, `"shear_parallel"`,
#'   `"shear_diagonal"` and `"thickness"`.
#' @param smoothing Standard deviation, in pixels, of the Gaussian that
#'   smooths the images before their gradients are taken (0: none).
#' @param two_sided Use both images' tangent planes (`TRUE`) or only the
#'   second's, that is the training image's (`FALSE`)?
#' @param candidates Number of Euclidean nearest training images ranked by
#'   tangent distance in a search (at least the `k` asked for); `Inf` for all.
#' @return `tangent_metric()`: a list of class
#'   `c("statlearn_tangent_metric", "statlearn_metric")`.
#' @references Hastie, Tibshirani and Friedman (2009), section 13.3.3,
#'   Figures 13.10-13.11, Table 13.1. Simard, LeCun and Denker (1993),
#'   Efficient pattern recognition using a new transformation distance,
#'   NIPS 5.
#' @family chapter 13
#' @export
#' @examples
#' x <- as.matrix(zip_train[1:500, -1])
#' q <- as.matrix(zip_test[1:100, -1])
#' m <- tangent_metric(16, 16)
#' fit <- nearest_neighbors(x, zip_train$digit[1:500], k = 1, metric = m, threads = 1)
#' mean(predict(fit, q) != zip_test$digit[1:100])
#' fit_e <- nearest_neighbors(x, zip_train$digit[1:500], k = 1, threads = 1)
#' mean(predict(fit_e, q) != zip_test$digit[1:100])
#' # A digit shifted one pixel right: far in Euclidean distance, close in tangent distance
#' a <- x[1, ]
#' b <- c(t(cbind(-1, matrix(a, 16, byrow = TRUE)[, 1:15])))
#' c(euclidean = sqrt(sum((a - b)^2)), tangent = tangent_distance(a, b, m))
tangent_metric <- function(height = 16, width = 16,
                           transformations = c("translate_x", "translate_y", "rotate", "scale",
                                               "shear_parallel", "shear_diagonal", "thickness"),
                           smoothing = 0.75, two_sided = TRUE, candidates = 50) {
  height <- check_count(height, "height", lower = 2)
  width <- check_count(width, "width", lower = 2)
  if (!is.character(transformations) || !length(transformations) || anyNA(transformations)) {
    abort_input("transformations", sprintf("some of %s", paste0('"', tangent_transformations, '"',
                                                                collapse = ", ")),
                describe(transformations), class = "statlearn_error_type")
  }
  bad <- setdiff(transformations, tangent_transformations)
  if (length(bad)) {
    abort_input("transformations", sprintf("some of %s", paste0('"', tangent_transformations, '"',
                                                                collapse = ", ")),
                sprintf('"%s"', bad[1L]), class = "statlearn_error_range")
  }
  smoothing <- check_nonnegative(smoothing, "smoothing")
  two_sided <- check_flag(two_sided, "two_sided")
  candidates <- check_number(candidates, "candidates", lower = 1)
  if (is.finite(candidates)) candidates <- check_count(candidates, "candidates")
  structure(list(height = height, width = width, transformations = unique(transformations),
                 smoothing = smoothing, two_sided = two_sided, candidates = as.double(candidates)),
            class = c("statlearn_tangent_metric", "statlearn_metric"))
}

#' @rdname tangent_metric
#' @param a,b Images: numeric vectors of `height * width` grey levels, or
#'   matrices (or data frames) with one image per row.
#' @param metric A `tangent_metric()`.
#' @inheritParams statlearn-params
#' @return `tangent_distance()`: the `nrow(a)` by `nrow(b)` matrix of tangent
#'   distances (not squared; a vector when `a` or `b` is a single image).
#'   One-sided distances use the tangents of `b`.
#' @export
tangent_distance <- function(a, b, metric = tangent_metric(), threads = NULL) {
  check_metric_class(metric, "statlearn_tangent_metric", "a tangent_metric()")
  threads <- resolve_threads(threads)
  single <- !is.matrix(a) && !is.data.frame(a) || !is.matrix(b) && !is.data.frame(b)
  A <- image_rows(a, metric, "a")
  B <- image_rows(b, metric, "b")
  d <- sqrt(cpp_tangent_distance(A, B, metric$height, metric$width, tangent_codes(metric),
                                 metric$smoothing, metric$two_sided, threads))
  if (single) drop(d) else d
}

#' @rdname tangent_metric
#' @param x One image (a vector of `height * width` grey levels, or a
#'   one-row matrix).
#' @param orthonormal Return an orthonormal basis of the tangent plane (in the
#'   order of `transformations`, by Gram-Schmidt) rather than the raw tangents?
#' @return `image_tangents()`: a `height * width` by
#'   `length(transformations)` matrix, one tangent image per column.
#' @export
image_tangents <- function(x, metric = tangent_metric(), orthonormal = FALSE) {
  check_metric_class(metric, "statlearn_tangent_metric", "a tangent_metric()")
  orthonormal <- check_flag(orthonormal, "orthonormal")
  X <- image_rows(x, metric, "x")
  if (nrow(X) != 1L) {
    abort_input("x", "one image", sprintf("%d images", nrow(X)), class = "statlearn_error_dimension")
  }
  out <- cpp_image_tangents(X[1L, ], metric$height, metric$width, tangent_codes(metric),
                            metric$smoothing, orthonormal)
  colnames(out) <- metric$transformations
  out
}

#' @export
print.statlearn_tangent_metric <- function(x, ...) {
  cat(sprintf("Tangent distance (%s) for %d x %d images: %s; smoothing %g; %s\n",
              if (x$two_sided) "two-sided" else "one-sided", x$height, x$width,
              paste(x$transformations, collapse = ", "), x$smoothing,
              if (is.finite(x$candidates)) sprintf("among the %g Euclidean nearest", x$candidates)
              else "exhaustive search"))
  invisible(x)
}

#' Discriminant adaptive nearest neighbours (DANN)
#'
#' `dann_metric()` describes the locally adaptive metric of ESL 13.4 (Hastie
#' and Tibshirani), to give to [nearest_neighbors()] as `metric`. Near a
#' class boundary the class probabilities change in one direction and not in
#' the others; DANN stretches the neighbourhood along the boundary and
#' shrinks it across.
#'
#' At each query \eqn{x_0} the `neighborhood` nearest training points
#' (Euclidean) give the pooled within-class covariance
#' \eqn{W = \sum_k \pi_k W_k} and the between-class covariance
#' \eqn{B = \sum_k \pi_k (\bar x_k - \bar x)(\bar x_k - \bar x)^T}, with
#' \eqn{\pi_k} the share of class \eqn{k} in the neighbourhood. The metric is
#' ESL eq. 13.9,
#' \deqn{\Sigma = W^{-1/2}[W^{-1/2} B W^{-1/2} + \epsilon I] W^{-1/2},}
#' and the \eqn{k} nearest training points under
#' \eqn{(x - x_0)^T \Sigma (x - x_0)} vote. The term \eqn{\epsilon I} rounds
#' the neighbourhood off, so it does not stretch infinitely along the
#' boundary; for large \eqn{\epsilon} the metric tends to \eqn{\epsilon W^{-1}}
#' (local Mahalanobis). With `iterations` > 1 the neighbourhood is found again
#' under the metric and the metric estimated again from it. Eigenvalues of
#' \eqn{W} below 1e-8 of the largest are raised to that level (a singular
#' \eqn{W}, as when the neighbourhood has fewer points than inputs).
#'
#' The computation is in C++, parallel over queries, and costs
#' \eqn{O(n p^2)} per query (every training point is ranked under the local
#' metric), so it suits a moderate number of inputs. Distances returned by
#' the search are the squared local distances.
#'
#' @param neighborhood Number of nearest points that estimate the local
#'   metric (ESL uses 50).
#' @param epsilon The rounding \eqn{\epsilon \ge 0} (ESL uses 1).
#' @param iterations Number of estimates of the metric (1 as in the book).
#' @return A list of class `c("statlearn_dann_metric", "statlearn_metric")`.
#' @references Hastie, Tibshirani and Friedman (2009), section 13.4, eq. 13.9,
#'   Figures 13.13-13.15. Hastie and Tibshirani (1996), Discriminant adaptive
#'   nearest neighbor classification, IEEE PAMI 18.
#' @family chapter 13
#' @export
#' @examples
#' set.seed(1)
#' sphere <- function(n) {
#'   # Class 2 inside a sphere in 4 coordinates, 6 noise coordinates
#'   x <- matrix(rnorm(n * 10), n)
#'   y <- factor(ifelse(rowSums(x[, 1:4]^2) < qchisq(0.5, 4), "inside", "outside"))
#'   list(x = x, y = y)
#' }
#' tr <- sphere(300); te <- sphere(300)
#' fit_d <- nearest_neighbors(tr$x, tr$y, k = 5, metric = dann_metric(), threads = 1)
#' fit_e <- nearest_neighbors(tr$x, tr$y, k = 5, threads = 1)
#' c(dann = mean(predict(fit_d, te$x) != te$y), euclidean = mean(predict(fit_e, te$x) != te$y))
#' # The local metric at a point on the sphere along the first axis: its
#' # largest weight is on coordinate 1, the direction across the boundary there
#' x0 <- matrix(c(sqrt(qchisq(0.5, 4)), rep(0, 9)), 1)
#' round(diag(dann_local_metric(fit_d, x0)[, , 1]), 2)
dann_metric <- function(neighborhood = 50, epsilon = 1, iterations = 1) {
  neighborhood <- check_count(neighborhood, "neighborhood", lower = 2)
  epsilon <- check_nonnegative(epsilon, "epsilon")
  iterations <- check_count(iterations, "iterations", lower = 1, upper = 100)
  structure(list(neighborhood = neighborhood, epsilon = epsilon, iterations = iterations),
            class = c("statlearn_dann_metric", "statlearn_metric"))
}

#' @export
print.statlearn_dann_metric <- function(x, ...) {
  cat(sprintf("Discriminant adaptive metric (DANN): neighbourhood %d, epsilon %g, %d iteration(s)\n",
              x$neighborhood, x$epsilon, x$iterations))
  invisible(x)
}

# --- internal -----------------------------------------------------------------

check_metric_class <- function(metric, class, what, arg = "metric") {
  if (!inherits(metric, class)) {
    abort_input(arg, what, if (inherits(metric, "statlearn_metric")) class(metric)[1L]
                else describe(metric), class = "statlearn_error_type")
  }
  invisible(metric)
}

tangent_codes <- function(metric) match(metric$transformations, tangent_transformations) - 1L

# Images as a numeric matrix of rows with height * width columns.
image_rows <- function(v, metric, arg) {
  if (is.data.frame(v)) v <- as.matrix(v)
  if (is.numeric(v) && is.null(dim(v))) v <- matrix(v, 1L)
  if (!is.numeric(v) || !is.matrix(v)) {
    abort_input(arg, "a numeric vector or matrix of images", describe(v),
                class = "statlearn_error_type")
  }
  p <- metric$height * metric$width
  if (ncol(v) != p) {
    abort_input(arg, sprintf("images of %d x %d = %d values", metric$height, metric$width, p),
                sprintf("%d values per image", ncol(v)), class = "statlearn_error_dimension")
  }
  check_finite_values(v, arg)
  storage.mode(v) <- "double"
  v
}

# The metric argument of nearest_neighbors(), checked against the data:
# NULL for Euclidean.
check_neighbour_metric <- function(metric, x, classification, standardize) {
  if (is.character(metric)) {
    check_choice(metric, "euclidean", "metric")
    return(NULL)
  }
  if (is.null(metric)) return(NULL)
  if (!inherits(metric, c("statlearn_tangent_metric", "statlearn_dann_metric"))) {
    abort_input("metric", '"euclidean", a tangent_metric() or a dann_metric()', describe(metric),
                class = "statlearn_error_type")
  }
  if (inherits(metric, "statlearn_tangent_metric")) {
    p <- metric$height * metric$width
    if (ncol(x) != p) {
      abort_input("x", sprintf("images of %d x %d = %d values per row (the tangent metric's size)",
                               metric$height, metric$width, p),
                  sprintf("%d columns", ncol(x)), class = "statlearn_error_dimension")
    }
    if (standardize) {
      abort_input("standardize", "FALSE with a tangent metric (scaling pixels separately breaks the image)",
                  "TRUE", class = "statlearn_error_unsupported")
    }
  }
  if (inherits(metric, "statlearn_dann_metric") && !classification) {
    abort_input("metric", "a metric for regression (DANN needs classes)", "a dann_metric()",
                class = "statlearn_error_unsupported")
  }
  metric
}

# The K nearest training points of each query under the fit's metric, as
# neighbour_search() returns them (squared distances), widened as it does for
# ties = "all".
metric_search <- function(fit, q, K, threads) {
  n <- fit$nobs
  width <- if (fit$ties == "all") min(n, K + 8L) else K
  repeat {
    res <- metric_search_once(fit, q, width, threads)
    if (fit$ties != "all" || width == n) return(res)
    if (all(res$distance[, width] > res$distance[, K])) return(res)
    width <- min(n, 2L * width)
  }
}

metric_search_once <- function(fit, q, K, threads) {
  m <- fit$metric
  if (inherits(m, "statlearn_tangent_metric")) {
    cand <- if (is.finite(m$candidates)) max(m$candidates, K) else Inf
    return(cpp_tangent_search(fit$x, q, K, cand, m$height, m$width, tangent_codes(m), m$smoothing,
                              m$two_sided, threads))
  }
  cpp_dann_search(fit$x, fit$y, length(fit$levels), q, K, min(m$neighborhood, fit$nobs), m$epsilon,
                  m$iterations, FALSE, threads)
}

#' @rdname dann_metric
#' @param fit A [nearest_neighbors()] fit with a `dann_metric()`.
#' @param newdata Query points (a matrix with the training columns, or a data
#'   frame for formula fits).
#' @inheritParams statlearn-params
#' @return `dann_local_metric()`: the local metrics \eqn{\Sigma} at the rows of
#'   `newdata`, a \eqn{p \times p \times m} array (the neighbourhood
#'   \eqn{\{x : (x - x_0)^T \Sigma (x - x_0) \le r^2\}} is an ellipsoid
#'   stretched along the local class boundary, ESL Figure 13.14).
#' @export
dann_local_metric <- function(fit, newdata, threads = NULL) {
  if (!inherits(fit, "statlearn_nearest_neighbors")) {
    abort_input("fit", "a nearest_neighbors() fit", describe(fit), class = "statlearn_error_type")
  }
  check_metric_class(fit$metric, "statlearn_dann_metric", "a fit with metric = dann_metric()",
                     arg = "fit")
  threads <- resolve_threads(threads %||% fit$threads)
  q <- neighbour_queries(fit, newdata)
  m <- fit$metric
  S <- cpp_dann_search(fit$x, fit$y, length(fit$levels), q, 1L, min(m$neighborhood, fit$nobs),
                       m$epsilon, m$iterations, TRUE, threads)$metric
  dimnames(S) <- list(fit$xnames, fit$xnames, rownames(q))
  S
}
