#' k-means clustering
#'
#' Partitions the rows of `x` into \eqn{k} clusters that minimise the total
#' within-cluster sum of squares \eqn{\sum_k \sum_{C(i) = k} \|x_i - \bar
#' x_k\|^2} (ESL 14.3.6, Algorithm 14.1; used as a prototype method in 13.2.1).
#' Lloyd's algorithm alternates assigning every point to its nearest centre
#' and moving every centre to the mean of its points, until no point changes
#' cluster. `algorithm = "hamerly"` (the default) makes the same
#' assignments but skips the distance computations that bounds on the
#' distances prove unnecessary (Hamerly, 2010) and moves the centres by the
#' points that changed cluster, which makes it several times faster (its
#' centres agree with Lloyd's to rounding); `"lloyd"` computes every distance, as [stats::kmeans()] with
#' `algorithm = "Lloyd"` does, and gives the same clusters from the same
#' starting centres. `"hartigan_wong"` is the algorithm of Hartigan and Wong
#' (1979), [stats::kmeans()]'s default: it moves one point at a time whenever
#' the move lowers the within-cluster sum of squares (taking into account that
#' both centres move), so it stops at clusters that no single transfer can
#' improve, often lower than Lloyd's; it makes the same decisions as
#' [stats::kmeans()] and gives the same clusters from the same starting
#' centres. It is sequential within a start, so its starts run in parallel.
#'
#' `centers` is the number of clusters or a matrix of starting centres. With a
#' number, each of the `starts` starts is seeded by k-means++ (Arthur and
#' Vassilvitskii, 2007: every further centre is a data point drawn with
#' probability proportional to its squared distance to the nearest centre
#' already chosen) or by `k` distinct random points, and the start with the
#' smallest total within-cluster sum of squares is kept. Each start draws from
#' its own random stream derived from `seed`, so results are the same for any
#' number of threads. A cluster that loses all its points keeps its centre.
#'
#' @param x A numeric matrix or data frame (n rows, p columns).
#' @param centers The number of clusters \eqn{k}, or a \eqn{k \times p}
#'   matrix of starting centres.
#' @param starts Number of random starts (ignored when `centers` is a matrix).
#' @param algorithm `"hamerly"`, `"lloyd"` or `"hartigan_wong"`.
#' @param init `"kmeans++"` or `"random"` starting centres.
#' @param max_iter Largest number of iterations per start.
#' @inheritParams statlearn-params
#' @param ... Unused.
#' @return An object of class `c("statlearn_k_means", "statlearn_model")`,
#'   named as [stats::kmeans()] names its parts: `cluster`, `centers`,
#'   `totss`, `withinss`, `tot_withinss` (and `tot.withinss`), `betweenss`,
#'   `size`, `iter`; and `converged`, `start_withinss` (the total
#'   within-cluster sum of squares of every start), `best_start`,
#'   `distance_evaluations`, `algorithm`. `predict()` assigns new points to
#'   the nearest centre; `fitted()` gives each point's centre (or cluster).
#' @references Hastie, Tibshirani and Friedman (2009), sections 13.2.1 and
#'   14.3.6. Hartigan and Wong (1979), Algorithm AS 136: a k-means clustering
#'   algorithm, *Applied Statistics* 28, 100-108. Hamerly (2010), Making k-means even faster, *SIAM International
#'   Conference on Data Mining*. Arthur and Vassilvitskii (2007), k-means++:
#'   the advantages of careful seeding, *SODA*.
#' @family chapter 13
#' @export
#' @examples
#' set.seed(1)
#' fit <- k_means(as.matrix(iris[, 1:4]), centers = 3, starts = 5, threads = 1)
#' fit
#' table(fit$cluster, iris$Species)
k_means <- function(x, centers, starts = 1, algorithm = c("hamerly", "lloyd", "hartigan_wong"),
                    init = c("kmeans++", "random"), max_iter = 100, seed = NULL, threads = NULL,
                    ...) {
  check_dots(..., fun = "k_means")
  x <- check_x(x, "x", names = FALSE)  # no column names added: that would copy x
  n <- nrow(x)
  p <- ncol(x)
  if (n == 0L) abort_input("x", "at least one row", "none", class = "statlearn_error_empty")
  algorithm <- check_choice(algorithm, c("hamerly", "lloyd", "hartigan_wong"), "algorithm")
  init <- check_choice(init, c("kmeans++", "random"), "init")
  max_iter <- check_count(max_iter, "max_iter", lower = 1, upper = 1e6)
  threads <- resolve_threads(threads)
  if (is.matrix(centers) || is.data.frame(centers)) {
    start <- as.matrix(centers)
    if (!is.numeric(start) || ncol(start) != p || nrow(start) < 1L || nrow(start) > n) {
      abort_input("centers", sprintf("a matrix of starting centres with %d columns and 1 to %d rows", p, n),
                  describe(centers), class = "statlearn_error_dimension")
    }
    check_finite_values(start, "centers")
    if (anyDuplicated(start)) {
      abort_input("centers", "distinct starting centres", "duplicated rows",
                  class = "statlearn_error_duplicate")
    }
    storage.mode(start) <- "double"
    k <- nrow(start)
    starts <- 1L
    init_code <- 2L
  } else {
    k <- check_count(centers, "centers", lower = 1, upper = n)
    starts <- check_count(starts, "starts", lower = 1, upper = 1e6)
    distinct <- nrow(unique(x))
    if (k > distinct) {
      abort_input("centers", sprintf("at most %d clusters (the number of distinct points)", distinct),
                  format(k), class = "statlearn_error_range")
    }
    start <- matrix(0, 0, p)
    init_code <- if (init == "kmeans++") 0L else 1L
  }
  seed <- if (init_code == 2L) 0 else resolve_seed(seed)
  res <- cpp_kmeans(x, start, k, match(algorithm, c("lloyd", "hamerly", "hartigan_wong")) - 1L,
                    init_code, starts, max_iter, seed, threads)
  if (identical(res$fault, 1L)) {
    abort_input("centers", "starting centres that each are the nearest centre of at least one point",
                "centres that leave a cluster empty (Hartigan-Wong needs every cluster non-empty)",
                class = "statlearn_error_empty_cluster")
  }
  if (identical(res$fault, 4L)) {
    warn(sprintf(paste0("k_means() (Hartigan-Wong) stopped: its quick-transfer stage exceeded %d steps ",
                        "(50 n, as stats::kmeans); the clusters may not be a local optimum."),
                 50L * n), class = "statlearn_warning_convergence")
  } else if (!res$converged) {
    warn(sprintf("k_means() did not converge in %d iterations (`max_iter`); increase it.", max_iter),
         class = "statlearn_warning_convergence")
  }
  xnames <- colnames(x) %||% paste0("V", seq_len(p))
  centers_out <- res$centers
  dimnames(centers_out) <- list(seq_len(k), xnames)
  cluster <- res$cluster
  if (!is.null(rownames(x))) names(cluster) <- rownames(x)
  totss <- res$totss
  tot <- sum(res$withinss)
  structure(list(
    cluster = cluster, centers = centers_out, totss = totss, withinss = res$withinss,
    tot_withinss = tot, tot.withinss = tot, betweenss = totss - tot, size = as.integer(res$size),
    iter = as.integer(res$iterations), converged = res$converged,
    start_withinss = res$start_withinss, best_start = as.integer(res$best_start),
    distance_evaluations = res$distance_evaluations, algorithm = algorithm,
    init = if (init_code == 2L) "given" else init, seed = seed, xnames = xnames, nobs = n,
    call = match.call()
  ), class = c("statlearn_k_means", "statlearn_model"))
}

#' @rdname k_means
#' @param object A `k_means()` fit.
#' @param newdata A matrix with the training columns.
#' @export
predict.statlearn_k_means <- function(object, newdata, ...) {
  check_dots(..., fun = "predict")
  q <- check_x(newdata, "newdata")
  q <- as.matrix(q)
  if (ncol(q) != length(object$xnames)) {
    abort_input("newdata", sprintf("%d columns (%s)", length(object$xnames),
                                   paste(object$xnames, collapse = ", ")),
                sprintf("%d", ncol(q)), class = "statlearn_error_dimension")
  }
  storage.mode(q) <- "double"
  res <- cpp_knn_search(object$centers, q, 1L, 1L, FALSE)
  out <- as.integer(res$index[, 1L])
  if (!is.null(rownames(q))) names(out) <- rownames(q)
  out
}

#' @rdname k_means
#' @param method `"centers"` (each point's centre, as [stats::fitted.kmeans()])
#'   or `"classes"` (its cluster).
#' @export
fitted.statlearn_k_means <- function(object, method = c("centers", "classes"), ...) {
  check_dots(..., fun = "fitted")
  method <- check_choice(method, c("centers", "classes"), "method")
  if (method == "classes") return(object$cluster)
  object$centers[object$cluster, , drop = FALSE]
}

#' @export
print.statlearn_k_means <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("k-means clustering (%s) with %d clusters of sizes %s\n", x$algorithm,
              nrow(x$centers), paste(x$size, collapse = ", ")))
  cat("\nCluster means:\n")
  print(signif(x$centers, digits))
  cat(sprintf("\nWithin-cluster sum of squares: %s (between / total = %.1f%%)\n",
              format(signif(x$tot_withinss, digits)), 100 * x$betweenss / x$totss))
  cat(sprintf("Best of %d start(s) (%s); %d iteration(s)%s\n", length(x$start_withinss), x$init,
              x$iter, if (x$converged) "" else ", not converged"))
  invisible(x)
}

#' @rdname k_means
#' @param data For `plot()`: the clustered data (by default found again from
#'   the fit's call).
#' @param dimensions For `plot()`: two columns of the data to draw.
#' @details `plot()` draws the points on two of their coordinates coloured by
#'   cluster, with the centres as large discs (as ESL Figure 13.1 and 14.6).
#' @export
plot.statlearn_k_means <- function(x, data = NULL, dimensions = c(1L, 2L), ...) {
  if (is.null(data)) {
    data <- tryCatch(eval(x$call$x, parent.frame()), error = function(e) NULL)
    if (is.null(data)) {
      abort_input("data", "the clustered data (they could not be found again from the fit's call)",
                  "nothing", class = "statlearn_error_missing")
    }
  }
  data <- as.matrix(check_x(data, "data"))
  if (nrow(data) != length(x$cluster) || ncol(data) != length(x$xnames)) {
    abort_input("data", sprintf("the %d x %d matrix that was clustered", length(x$cluster),
                                length(x$xnames)),
                sprintf("%d x %d", nrow(data), ncol(data)), class = "statlearn_error_dimension")
  }
  if (length(x$xnames) < 2L) {
    abort("A cluster plot needs at least two columns; this fit has one.",
          class = c("statlearn_error_unsupported", "statlearn_error_input"))
  }
  dims <- check_plot_dimensions(dimensions, x$xnames)
  k <- nrow(x$centers)
  col <- class_colours(k)
  args <- list(x = data[, dims[1L]], y = data[, dims[2L]], col = col[x$cluster], pch = 1, cex = 0.6,
               xlab = x$xnames[dims[1L]], ylab = x$xnames[dims[2L]],
               main = sprintf("k-means, %d clusters", k))
  extra <- list(...)
  args[names(extra)] <- extra
  do.call(graphics::plot, args)
  graphics::points(x$centers[, dims[1L]], x$centers[, dims[2L]], pch = 21, bg = col, col = "black",
                   cex = 2, lwd = 1.5)
  invisible(x)
}
