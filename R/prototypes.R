# Prototype methods of ESL 13.2: k-means per class (13.2.1) and learning
# vector quantisation (13.2.2). Both fits hold a labelled codebook and classify
# a point by its nearest prototype; they share the class "statlearn_prototypes"
# and its methods (predict, print, plot).

#' Prototype classifier: k-means or a Gaussian mixture within each class
#'
#' Represents each class by a few prototypes and classifies a point by the
#' class of its nearest prototype (ESL 13.2.1), or by a Gaussian mixture per
#' class and Bayes' rule (13.2.3). With `method = "k_means"`,
#' [k_means()] is run on the training points of each class separately with
#' `prototypes` centres, and the centres become that class's prototypes.
#' Unlike a plain clustering, the prototypes of one class ignore where the
#' other classes lie, so they may sit close to the decision boundary (ESL
#' Figure 13.1); [learning_vector_quantization()] moves them away from it.
#'
#' The nearest prototype is found by the exact Euclidean distance; a point at
#' equal distance from several prototypes goes to the first of them (the
#' prototypes are ordered by class, then by cluster number). Distances are
#' between the inputs as given, or, with `standardize = TRUE`, between inputs
#' scaled to unit standard deviation (ESL 13.2 standardises the features; its
#' mixture-data example, Figure 13.2, is on the raw inputs).
#'
#' Each class's k-means uses its own random stream derived from `seed`, so the
#' fit is the same for any number of threads.
#'
#' @param x A numeric matrix or data frame of inputs, or a formula.
#' @param y Class labels: a factor, character, logical or whole-number vector
#'   with at least two classes.
#' @param prototypes Prototypes per class: one whole number for every class,
#'   or one per class (in the order of the class levels, or named by class).
#'   At most the number of distinct training points of the class.
#' @param method How each class is represented: `"k_means"` (prototypes are
#'   the k-means centres of the class; a point goes to the class of its
#'   nearest prototype) or `"gaussian_mixture"` (a [gaussian_mixture()] with
#'   `prototypes` components fitted to the class by EM; a point goes to the
#'   class of largest posterior probability, the class's share of the
#'   training data times its mixture density, ESL 13.2.3; the components'
#'   means are the prototypes drawn by `plot()`, and `predict(type = "prob")`
#'   gives the posteriors).
#' @param starts Number of random starts of each class's k-means (the best is
#'   kept).
#' @param standardize Scale every input to mean 0 and standard deviation 1
#'   (training values) before placing the prototypes, as ESL 13.2 does? The
#'   fit still reports the prototypes in the inputs' units; `predict()` scales
#'   new points the same way.
#' @inheritParams statlearn-params
#' @param ... Further arguments of [k_means()] (`algorithm`, `init`,
#'   `max_iter`) or, for `method = "gaussian_mixture"`, of
#'   [gaussian_mixture()] (`covariance`, `shared`, `max_iter`, `tol`,
#'   `regularization`).
#' @return An object of class `c("statlearn_prototype_classifier",
#'   "statlearn_prototypes", "statlearn_classifier", "statlearn_model")`, a
#'   list with `prototypes` (the \eqn{M \times p} matrix of prototypes, rows
#'   named `class.j`), `prototype_class` (a factor of their classes),
#'   `prototypes_per_class`, `levels`, `counts` (training points per class),
#'   `standardize` (and `center`, `scale`, `scaled_prototypes` when `TRUE`),
#'   `withinss` (each prototype's within-cluster sum of squares), `converged`,
#'   `seed`, and for formula fits what `predict()` needs.
#' @references Hastie, Tibshirani and Friedman (2009), sections 13.2.1 and
#'   13.2.3, Figures 13.1 (k-means per class on three simulated classes) and
#'   13.2 (k-means and a Gaussian mixture per class on the mixture data).
#' @seealso [learning_vector_quantization()], [nearest_neighbors()],
#'   [predict.statlearn_prototypes()].
#' @family chapter 13
#' @export
#' @examples
#' train <- data.frame(x1 = mixture$x[, 1], x2 = mixture$x[, 2], y = factor(mixture$y))
#' set.seed(1)
#' fit <- prototype_classifier(y ~ x1 + x2, data = train, prototypes = 5, starts = 5,
#'                             threads = 1)
#' fit
#' mean(predict(fit, train) != train$y)  # training error
#' # Test error from the known mixture density (see ?mixture)
#' grid <- data.frame(x1 = mixture$xnew[, 1], x2 = mixture$xnew[, 2])
#' pred <- predict(fit, grid) == "1"
#' with(mixture, sum(marginal * ifelse(pred, 1 - prob, prob)))
#' plot(fit)
prototype_classifier <- function(x, ...) UseMethod("prototype_classifier")

#' @rdname prototype_classifier
#' @export
prototype_classifier.default <- function(x, y, prototypes = 5, method = "k_means", starts = 1,
                                         standardize = FALSE, seed = NULL, threads = NULL, ...) {
  x <- check_x(x, "x")
  fit <- fit_prototype_classifier(x, y, prototypes, method, starts, standardize, seed, threads,
                                  list(...))
  fit$call <- match.call()
  fit
}

#' @rdname prototype_classifier
#' @export
prototype_classifier.formula <- function(formula, data, subset, na.action, prototypes = 5,
                                         method = "k_means", starts = 1, standardize = FALSE,
                                         seed = NULL, threads = NULL, ...) {
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_prototype_classifier(formula_x(des), des$y, prototypes, method, starts, standardize,
                                  seed, threads, list(...))
  add_formula_info(fit, des, call)
}

# The ways of placing the prototypes of one class. A new method (a Gaussian
# mixture per class, say) is added here, in class_prototypes() (the fit of one
# class) and in prototype_predict() (how a fit classifies).
prototype_methods <- c("k_means", "gaussian_mixture")

fit_prototype_classifier <- function(x, y, prototypes, method, starts, standardize, seed, threads,
                                     dots) {
  method <- check_choice(method, prototype_methods, "method")
  if (length(dots)) {
    allowed <- if (method == "k_means") c("algorithm", "init", "max_iter")
               else c("covariance", "shared", "max_iter", "tol", "regularization")
    do.call(check_dots, c(dots, list(fun = "prototype_classifier", allowed = allowed)))
  }
  starts <- check_count(starts, "starts", lower = 1, upper = 1e6)
  threads <- resolve_threads(threads)
  d <- prototype_data(x, y, standardize)
  m <- check_prototype_counts(prototypes, d$y, d$x, distinct = TRUE)
  seed <- resolve_seed(seed)
  init <- class_prototypes(d$x, d$y, m, method, starts, seed, threads, dots)
  title <- if (method == "k_means") {
    sprintf("k-means, %s per class", prototype_count_label(m))
  } else {
    g1 <- init$mixtures[[1L]]
    sprintf("Gaussian mixtures, %s per class (%s)",
            sub("prototype", "component", prototype_count_label(m)), g1$model_name)
  }
  fit <- new_prototype_fit(init$centers, m, d, threads, title = title,
                           class = "statlearn_prototype_classifier")
  fit$prototype_method <- method
  if (method == "gaussian_mixture") {
    # Each class's mixture (in the working units), and the class priors.
    fit$mixtures <- lapply(init$mixtures, function(g) {
      g$responsibilities <- NULL
      g$cluster <- NULL
      g$call <- NULL
      g
    })
    names(fit$mixtures) <- fit$levels
    fit$priors <- fit$counts / sum(fit$counts)
  }
  fit$starts <- starts
  fit$withinss <- init$withinss
  fit$converged <- init$converged
  fit$seed <- seed
  fit
}

# Checked training data for the prototype fitters: a double matrix with column
# names (the inputs the prototypes live among: scaled to unit standard
# deviation about their means when `standardize`, as in ESL 13.2) and a factor
# of at least two classes.
prototype_data <- function(x, y, standardize = FALSE) {
  standardize <- check_flag(standardize, "standardize")
  x <- as.matrix(x)
  storage.mode(x) <- "double"
  n <- nrow(x)
  if (n == 0L) abort_input("x", "at least one row", "none", class = "statlearn_error_empty")
  y <- check_class_y(y, n)
  xnames <- column_names(x)
  dimnames(x) <- list(NULL, xnames)
  center <- scale <- NULL
  if (standardize) {
    st <- standardize_columns(x, xnames)
    x <- st$x
    center <- st$center
    scale <- st$scale
  }
  list(x = x, y = y, xnames = xnames, n = n, center = center, scale = scale)
}

# Prototypes between the inputs' own units and the standardised ones.
to_standard_units <- function(P, center, scale) {
  if (is.null(center)) P else sweep(sweep(P, 2L, center), 2L, scale, "/")
}
to_input_units <- function(P, center, scale) {
  if (is.null(center)) P else sweep(sweep(P, 2L, scale, "*"), 2L, center, "+")
}

# Prototypes per class: one whole number for all classes or one per class
# (named by class, or in level order), between 1 and the class size (with
# distinct = TRUE, the number of distinct points of the class, as k-means
# needs). Returns an integer vector named by the levels.
check_prototype_counts <- function(prototypes, y, x, distinct = TRUE, arg = "prototypes") {
  lev <- levels(y)
  K <- length(lev)
  if (!is.numeric(prototypes) || !length(prototypes) || anyNA(prototypes) ||
      any(!is.finite(prototypes)) || any(prototypes != round(prototypes)) ||
      !(length(prototypes) %in% c(1L, K))) {
    abort_input(arg, sprintf("one whole number, or %d (one per class)", K), describe(prototypes),
                class = "statlearn_error_type")
  }
  if (length(prototypes) == K && !is.null(names(prototypes))) {
    if (!setequal(names(prototypes), lev)) {
      abort_input(arg, sprintf("named by the classes (%s)", paste(lev, collapse = ", ")),
                  sprintf("names %s", paste(names(prototypes), collapse = ", ")),
                  class = "statlearn_error_range")
    }
    prototypes <- prototypes[lev]
  }
  m <- rep_len(as.integer(prototypes), K)
  names(m) <- lev
  if (any(m < 1L)) {
    abort_input(arg, "at least 1 prototype per class", format(min(m)),
                class = "statlearn_error_range")
  }
  avail <- vapply(lev, function(l) {
    xl <- x[y == l, , drop = FALSE]
    if (distinct) nrow(unique(xl)) else nrow(xl)
  }, integer(1))
  if (any(m > avail)) {
    l <- which(m > avail)[1L]
    abort_input(arg, sprintf("at most %d for class '%s' (its number of %spoints)", avail[l], lev[l],
                             if (distinct) "distinct " else ""),
                format(m[l]), class = "statlearn_error_range")
  }
  m
}

# The starting prototypes of every class (rows in level order, then cluster
# order) by `method`; k-means of class l uses the seed (seed + l) so each class
# draws its own stream.
class_prototypes <- function(x, y, m, method, starts, seed, threads, dots = list()) {
  lev <- levels(y)
  centers <- vector("list", length(lev))
  withinss <- vector("list", length(lev))
  mixtures <- vector("list", length(lev))
  converged <- logical(length(lev))
  for (l in seq_along(lev)) {
    xl <- x[y == lev[l], , drop = FALSE]
    seed_l <- (seed + l) %% .Machine$integer.max
    fit <- switch(method,
      k_means = do.call(k_means, c(list(xl, centers = m[[l]], starts = starts, seed = seed_l,
                                        threads = threads), dots)),
      gaussian_mixture = {
        g <- do.call(gaussian_mixture, c(list(xl, components = m[[l]], starts = starts, seed = seed_l,
                                              threads = threads), dots))
        mixtures[[l]] <- g
        list(centers = g$means, withinss = rep(NA_real_, m[[l]]), converged = g$converged)
      },
      sample = {
        idx <- cpp_sample_distinct(nrow(xl), m[[l]], seed, l)
        list(centers = xl[idx, , drop = FALSE], withinss = rep(NA_real_, m[[l]]), converged = TRUE)
      }
    )
    centers[[l]] <- unname(as.matrix(fit$centers))
    withinss[[l]] <- fit$withinss
    converged[l] <- isTRUE(fit$converged)
  }
  list(centers = do.call(rbind, centers), withinss = unlist(withinss), converged = all(converged),
       mixtures = if (method == "gaussian_mixture") mixtures)
}

prototype_count_label <- function(m) {
  if (length(unique(m)) == 1L) sprintf("%d prototype%s", m[[1L]], if (m[[1L]] == 1L) "" else "s")
  else sprintf("%s prototypes", paste(m, collapse = "/"))
}

# The fit object shared by the prototype fitters, from prototypes P among the
# working inputs d$x. `prototypes` are in the inputs' units; with
# standardize, predict() uses `scaled_prototypes` (as fitted).
new_prototype_fit <- function(P, m, d, threads, title, class, pclass = NULL) {
  lev <- levels(d$y)
  pclass <- pclass %||% factor(rep(lev, m), levels = lev)
  M <- nrow(P)
  dimnames(P) <- list(paste0(as.character(pclass), ".", stats::ave(seq_len(M), pclass, FUN = seq_along)),
                      d$xnames)
  structure(list(
    prototypes = to_input_units(P, d$center, d$scale), prototype_class = pclass,
    prototypes_per_class = m, levels = lev, counts = c(table(d$y)),
    standardize = !is.null(d$center), center = d$center, scale = d$scale,
    scaled_prototypes = if (!is.null(d$center)) P, xnames = d$xnames, nobs = d$n,
    threads = threads, method = title, call = NULL
  ), class = c(class, "statlearn_prototypes", "statlearn_classifier", "statlearn_model"))
}

#' Learning vector quantisation
#'
#' Moves a codebook of labelled prototypes towards the training points of
#' their own class and away from the others, one observation at a time (ESL
#' 13.2.2, Algorithm 13.1; Kohonen, 1995), then classifies a point by its
#' nearest prototype. The starting codebook is, as in ESL, the k-means centres
#' of each class (`init = "k_means"`, see [prototype_classifier()]), or
#' `prototypes` training points drawn at random from each class
#' (`init = "sample"`, close to [class::lvqinit()]), or a given `codebook`
#' (for example an earlier fit, to refine it with another method).
#'
#' Each step draws a training point \eqn{x_i} (uniformly, with replacement)
#' and finds its nearest prototype \eqn{m}:
#' \describe{
#'   \item{`"lvq1"`}{(ESL Algorithm 13.1) \eqn{m \leftarrow m + \alpha_t (x_i
#'     - m)}{m <- m + alpha_t (x_i - m)} if \eqn{m} has the class of \eqn{x_i},
#'     else \eqn{m \leftarrow m - \alpha_t (x_i - m)}{m <- m - alpha_t (x_i -
#'     m)}, with the rate \eqn{\alpha_t = \alpha (T - t) / T}
#'     falling linearly to zero over the \eqn{T} steps.}
#'   \item{`"olvq1"`}{(optimised LVQ1) the same moves with a rate per
#'     prototype, starting at \eqn{\alpha} and after each move of the prototype
#'     becoming \eqn{\min(\alpha, \alpha_m / (1 + s\,\alpha_m))}{min(alpha,
#'     alpha_m / (1 + s alpha_m))}, \eqn{s = +1}
#'     for a move towards and \eqn{-1} away: fast early learning that settles
#'     by itself.}
#'   \item{`"lvq2"`}{(LVQ2.1) the two nearest prototypes move only when they
#'     belong to different classes, one of them to the class of \eqn{x_i}, and
#'     \eqn{x_i} falls in a window about the midplane between them
#'     (\eqn{d_1^2/d_2^2 > (1 - w)/(1 + w)}, squared distances, \eqn{w} =
#'     `window`): the right one towards \eqn{x_i}, the wrong one away.}
#'   \item{`"lvq3"`}{as `"lvq2"`, and when both nearest prototypes have the
#'     class of \eqn{x_i} both move towards it by \eqn{\epsilon \alpha_t}.}
#' }
#' These are the rules of [class::lvq1()], [class::olvq1()], [class::lvq2()] and
#' [class::lvq3()], with their defaults (`learning_rate` 0.3 and `iterations`
#' 40 per prototype for `"olvq1"`; 0.03 and 100 per prototype otherwise): from
#' the same codebook and the same sequence of observations the codebooks agree
#' to rounding. The sequence is drawn from a random stream derived from
#' `seed`, so [set.seed()] reproduces a fit. Kohonen recommends `"olvq1"` first
#' and one of the others, with a small rate, to fine-tune: pass the first fit
#' as `codebook`.
#'
#' The updates are sequential, so they run on one thread; `threads` serves the
#' k-means start and the nearest-prototype searches of `predict()`.
#' `standardize = TRUE` works among inputs scaled to unit standard deviation,
#' as ESL 13.2 recommends (a given `codebook` is in the inputs' units).
#'
#' @inheritParams prototype_classifier
#' @param method `"olvq1"`, `"lvq1"`, `"lvq2"` or `"lvq3"`, see Details.
#' @param learning_rate The (starting) learning rate \eqn{\alpha} in (0, 1];
#'   `NULL` for 0.3 (`"olvq1"`) or 0.03 (the others), class's defaults. From
#'   k-means prototypes, LVQ1 at 0.03 for 100 steps per prototype barely moves
#'   them; to see the effect ESL 13.2.2 describes, take a larger rate or more
#'   steps (for example 0.1 and 10 000 steps on the mixture data).
#' @param iterations Number of steps (observations drawn); `NULL` for 40
#'   (`"olvq1"`) or 100 (the others) times the number of prototypes.
#' @param window The window \eqn{w} of `"lvq2"` and `"lvq3"`, in (0, 1).
#' @param epsilon The factor \eqn{\epsilon} of `"lvq3"`, in (0, 1].
#' @param init The starting codebook when `codebook` is `NULL`: `"k_means"`
#'   (k-means centres of each class, with `starts` starts) or `"sample"`
#'   (random training points of each class).
#' @param codebook A starting codebook: a fit of [prototype_classifier()] or
#'   `learning_vector_quantization()` on the same inputs, or a list with the
#'   prototypes `x` (a matrix with the training columns) and their classes
#'   `cl` (as [class::lvqinit()] returns). Then `prototypes`, `init` and
#'   `starts` are not used.
#' @param ... For `init = "k_means"`, further arguments of [k_means()]:
#'   `algorithm` and `max_iter`.
#' @return An object of class `c("statlearn_learning_vector_quantization",
#'   "statlearn_prototypes", "statlearn_classifier", "statlearn_model")`: as
#'   for [prototype_classifier()], with the moved `prototypes`, the starting
#'   codebook `initial_prototypes`, `lvq_method`, `learning_rate`,
#'   `iterations`, `window`, `epsilon`, `init`, `updates` (the steps that
#'   moved a prototype), `rates` (`"olvq1"`: each prototype's final rate) and
#'   `seed`.
#' @references Hastie, Tibshirani and Friedman (2009), section 13.2.2,
#'   Algorithm 13.1 and Figures 13.1, 13.5. Kohonen, T. (1995),
#'   *Self-Organizing Maps*, Springer. Ripley, B. D. (1996), *Pattern
#'   Recognition and Neural Networks*, Cambridge.
#' @seealso [prototype_classifier()], [predict.statlearn_prototypes()].
#' @family chapter 13
#' @export
#' @examples
#' train <- data.frame(x1 = mixture$x[, 1], x2 = mixture$x[, 2], y = factor(mixture$y))
#' set.seed(1)
#' fit <- learning_vector_quantization(y ~ x1 + x2, data = train, prototypes = 5,
#'                                     method = "lvq1", iterations = 5000, threads = 1)
#' fit
#' mean(predict(fit, train) != train$y)  # training error
#' grid <- data.frame(x1 = mixture$xnew[, 1], x2 = mixture$xnew[, 2])
#' pred <- predict(fit, grid) == "1"
#' with(mixture, sum(marginal * ifelse(pred, 1 - prob, prob)))  # test error
#' plot(fit)
#' # Fine-tune the codebook with LVQ3 (a few steps at a small rate)
#' fit2 <- learning_vector_quantization(y ~ x1 + x2, data = train, method = "lvq3",
#'                                      codebook = fit, threads = 1)
learning_vector_quantization <- function(x, ...) UseMethod("learning_vector_quantization")

#' @rdname learning_vector_quantization
#' @export
learning_vector_quantization.default <- function(x, y, prototypes = 5,
                                                 method = c("olvq1", "lvq1", "lvq2", "lvq3"),
                                                 learning_rate = NULL, iterations = NULL,
                                                 window = 0.3, epsilon = 0.1,
                                                 init = c("k_means", "sample"), codebook = NULL,
                                                 starts = 1, standardize = FALSE, seed = NULL,
                                                 threads = NULL, ...) {
  x <- check_x(x, "x")
  fit <- fit_lvq(x, y, prototypes, method, learning_rate, iterations, window, epsilon, init,
                 codebook, starts, standardize, seed, threads, list(...))
  fit$call <- match.call()
  fit
}

#' @rdname learning_vector_quantization
#' @export
learning_vector_quantization.formula <- function(formula, data, subset, na.action, prototypes = 5,
                                                 method = c("olvq1", "lvq1", "lvq2", "lvq3"),
                                                 learning_rate = NULL, iterations = NULL,
                                                 window = 0.3, epsilon = 0.1,
                                                 init = c("k_means", "sample"), codebook = NULL,
                                                 starts = 1, standardize = FALSE, seed = NULL,
                                                 threads = NULL, ...) {
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_lvq(formula_x(des), des$y, prototypes, method, learning_rate, iterations, window,
                 epsilon, init, codebook, starts, standardize, seed, threads, list(...))
  add_formula_info(fit, des, call)
}

lvq_methods <- c("olvq1", "lvq1", "lvq2", "lvq3")

fit_lvq <- function(x, y, prototypes, method, learning_rate, iterations, window, epsilon, init,
                    codebook, starts, standardize, seed, threads, dots) {
  if (length(dots)) {
    do.call(check_dots, c(dots, list(fun = "learning_vector_quantization",
                                     allowed = c("algorithm", "max_iter"))))
  }
  method <- check_choice(method, lvq_methods, "method")
  init <- check_choice(init, c("k_means", "sample"), "init")
  starts <- check_count(starts, "starts", lower = 1, upper = 1e6)
  learning_rate <- if (is.null(learning_rate)) if (method == "olvq1") 0.3 else 0.03
                   else check_number(learning_rate, "learning_rate", lower = 0, upper = 1,
                                     lower_open = TRUE)
  window <- check_number(window, "window", lower = 0, upper = 1, lower_open = TRUE,
                         upper_open = TRUE)
  epsilon <- check_number(epsilon, "epsilon", lower = 0, upper = 1, lower_open = TRUE)
  threads <- resolve_threads(threads)
  d <- prototype_data(x, y, standardize)
  seed <- resolve_seed(seed)
  if (is.null(codebook)) {
    m <- check_prototype_counts(prototypes, d$y, d$x, distinct = init == "k_means")
    P0 <- class_prototypes(d$x, d$y, m, init, starts, seed, threads, dots)$centers
    pcl <- factor(rep(levels(d$y), m), levels = levels(d$y))
  } else {
    cb <- check_codebook(codebook, d)
    P0 <- to_standard_units(cb$x, d$center, d$scale)
    pcl <- cb$cl
    init <- "given"
    m <- c(table(pcl))
  }
  if (length(unique(pcl)) < 2L && method %in% c("lvq2", "lvq3")) {
    abort_input("codebook", sprintf("prototypes of at least two classes (method = \"%s\")", method),
                "one class", class = "statlearn_error_classes")
  }
  M <- nrow(P0)
  iterations <- if (is.null(iterations)) (if (method == "olvq1") 40 else 100) * M
                else check_count(iterations, "iterations", lower = 1, upper = 1e9)
  res <- cpp_lvq(d$x, as.integer(d$y), P0, as.integer(pcl), integer(), iterations,
                 match(method, c("lvq1", "olvq1", "lvq2", "lvq3")) - 1L, learning_rate, window,
                 epsilon, seed)
  label <- switch(method, olvq1 = "OLVQ1", lvq1 = "LVQ1", lvq2 = "LVQ2.1", lvq3 = "LVQ3")
  # (a given codebook keeps its order: its classes need not be grouped)
  fit <- new_prototype_fit(res$codebook, m, d, threads,
                           title = sprintf("%s, %s per class", label, prototype_count_label(m)),
                           class = "statlearn_learning_vector_quantization", pclass = pcl)
  fit$initial_prototypes <- to_input_units(P0, d$center, d$scale)
  dimnames(fit$initial_prototypes) <- dimnames(fit$prototypes)
  fit$prototype_method <- "lvq"
  fit$lvq_method <- method
  fit$learning_rate <- learning_rate
  fit$iterations <- as.integer(iterations)
  fit$window <- window
  fit$epsilon <- epsilon
  fit$init <- init
  fit$updates <- as.integer(res$updates)
  fit$rates <- if (method == "olvq1") stats::setNames(res$rates, rownames(fit$prototypes))
  fit$seed <- seed
  fit
}

# A starting codebook: a prototype fit, or list(x = <matrix>, cl = <classes>).
# Returns the double matrix and a factor with the training levels.
check_codebook <- function(codebook, d) {
  if (inherits(codebook, "statlearn_prototypes")) {
    P <- codebook$prototypes
    cl <- as.character(codebook$prototype_class)
  } else if (is.list(codebook) && !is.data.frame(codebook) && !is.null(codebook$x) &&
             !is.null(codebook$cl)) {
    P <- codebook$x
    cl <- as.character(codebook$cl)
  } else {
    abort_input("codebook", "a prototype fit or a list with prototypes `x` and classes `cl`",
                describe(codebook), class = "statlearn_error_type")
  }
  P <- check_x(P, "codebook$x")
  if (ncol(P) != length(d$xnames)) {
    abort_input("codebook", sprintf("prototypes with %d columns (as the training inputs)",
                                    length(d$xnames)),
                sprintf("%d columns", ncol(P)), class = "statlearn_error_dimension")
  }
  if (length(cl) != nrow(P) || anyNA(cl) || !all(cl %in% levels(d$y))) {
    abort_input("codebook", sprintf("one class among the training classes (%s) per prototype",
                                    paste(levels(d$y), collapse = ", ")),
                sprintf("classes %s", paste(utils::head(unique(cl), 5L), collapse = ", ")),
                class = "statlearn_error_range")
  }
  P <- unname(P)
  storage.mode(P) <- "double"
  list(x = P, cl = factor(cl, levels = levels(d$y)))
}

# LVQ updates of a codebook along a given sequence of observations (1-based
# row indices), for tests against class::lvq1() and friends: the codebook
# matrix after the steps.
lvq_update <- function(x, cl, codebook, codebook_cl, order, method = "olvq1", alpha = NULL,
                       window = 0.3, epsilon = 0.1) {
  method <- check_choice(method, lvq_methods, "method")
  alpha <- alpha %||% if (method == "olvq1") 0.3 else 0.03
  x <- as.matrix(x)
  storage.mode(x) <- "double"
  codebook <- as.matrix(codebook)
  storage.mode(codebook) <- "double"
  lev <- levels(factor(cl))
  res <- cpp_lvq(x, match(as.character(cl), lev), codebook, match(as.character(codebook_cl), lev),
                 as.integer(order), length(order),
                 match(method, c("lvq1", "olvq1", "lvq2", "lvq3")) - 1L, alpha, window, epsilon, 0)
  out <- res$codebook
  dimnames(out) <- dimnames(codebook)
  out
}

#' Predict with a prototype classifier
#'
#' The class of the nearest prototype (ESL 13.2), for fits of
#' [prototype_classifier()] and [learning_vector_quantization()].
#'
#' A nearest-prototype rule has no class probabilities, so `type = "prob"` is
#' an error; `type = "distance"` gives what the rule compares instead.
#'
#' @param object A fit of [prototype_classifier()] or
#'   [learning_vector_quantization()].
#' @param newdata New inputs: a data frame for formula fits, else a matrix with
#'   the training columns. `NULL`: the training inputs (found again from the
#'   fit's call).
#' @param type `"class"` (a factor with the training levels), `"prototype"`
#'   (the row of `object$prototypes` nearest each point) or `"distance"` (an
#'   \eqn{m \times K} matrix: the squared distance from each point to the
#'   nearest prototype of each class; the predicted class has the smallest).
#' @inheritParams statlearn-params
#' @param ... Unused.
#' @return A factor, an integer vector or a matrix, by `type`.
#' @family chapter 13
#' @export
predict.statlearn_prototypes <- function(object, newdata = NULL,
                                         type = c("class", "prototype", "distance"),
                                         threads = NULL, ...) {
  check_dots(..., fun = "predict")
  type <- check_choice(type, c("class", "prob", "prototype", "distance"), "type")
  threads <- resolve_threads(threads %||% object$threads)
  prototype_predict(object, da_newx(object, newdata, parent.frame()), type, threads)
}

# Predictions by the fit's prototype method: the one place that dispatches on
# it (a Gaussian mixture per class would add its posterior for "prob" here).
prototype_predict <- function(object, q, type, threads) {
  out <- switch(object$prototype_method %||% "k_means",
    k_means = , lvq = {
      if (type == "prob") {
        abort(paste0("A nearest-prototype classifier gives no class probabilities; use ",
                     "type = \"class\", or type = \"distance\" for the distances it compares."),
              class = c("statlearn_error_unsupported", "statlearn_error_input"))
      }
      if (isTRUE(object$standardize)) q <- to_standard_units(q, object$center, object$scale)
      prototype_assign(object, q, type, threads)
    },
    gaussian_mixture = {
      if (type %in% c("prototype", "distance")) {
        abort(sprintf(paste0("type = \"%s\" is for nearest-prototype rules; a Gaussian-mixture ",
                             "classifier gives type = \"class\" or \"prob\"."), type),
              class = c("statlearn_error_unsupported", "statlearn_error_input"))
      }
      if (isTRUE(object$standardize)) q <- to_standard_units(q, object$center, object$scale)
      mixture_class_posterior(object, q, type, threads)
    },
    abort(sprintf("Unknown prototype method \"%s\" in the fit.", object$prototype_method),
          class = c("statlearn_error_unsupported", "statlearn_error_input"))
  )
  rn <- rownames(q)
  if (is.matrix(out)) rownames(out) <- rn else if (!is.null(rn)) names(out) <- rn
  out
}

# Bayes rule with a Gaussian mixture per class (ESL 13.2.3): the class
# maximising log prior + log f_class(x); "prob" the posteriors (by
# log-sum-exp, so they stay finite far from the data).
mixture_class_posterior <- function(fit, q, type, threads) {
  storage.mode(q) <- "double"
  L <- vapply(seq_along(fit$levels), function(l) {
    log(fit$priors[[l]]) + mixture_log_density(fit$mixtures[[l]], q, threads)$density
  }, numeric(nrow(q)))
  L <- matrix(L, nrow(q))
  if (type == "class") return(class_factor(max.col(L, ties.method = "first"), fit$levels))
  top <- L[cbind(seq_len(nrow(L)), max.col(L, ties.method = "first"))]
  P <- exp(L - top)
  P <- P / rowSums(P)
  dimnames(P) <- list(NULL, fit$levels)
  P
}

# Nearest prototypes of the rows of q (exact search, ties to the lowest index).
prototype_assign <- function(fit, q, type, threads) {
  P <- if (isTRUE(fit$standardize)) fit$scaled_prototypes else fit$prototypes
  if (type != "distance") {
    nb <- cpp_knn_search(P, q, 1L, threads, FALSE)
    j <- as.integer(nb$index[, 1L])
    return(if (type == "prototype") j else fit$prototype_class[j])
  }
  M <- nrow(P)
  nb <- cpp_knn_search(P, q, M, threads, FALSE)
  K <- length(fit$levels)
  D <- matrix(Inf, nrow(q), K, dimnames = list(NULL, fit$levels))
  pc <- as.integer(fit$prototype_class)
  # columns of nb are in increasing distance: the last write per class is its
  # nearest, so walk them backwards
  for (r in rev(seq_len(M))) {
    cls <- pc[nb$index[, r]]
    D[cbind(seq_len(nrow(q)), cls)] <- nb$distance[, r]
  }
  D
}

#' @export
fitted.statlearn_prototypes <- function(object, threads = NULL, ...) {
  check_dots(..., fun = "fitted")
  prototype_predict(object, da_newx(object, NULL, parent.frame()), "class",
                    resolve_threads(threads %||% object$threads))
}

#' @export
print.statlearn_prototypes <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Prototype classifier (%s): %d prototypes for %d classes, n = %d, p = %d\n",
              x$method, nrow(x$prototypes), length(x$levels), x$nobs, length(x$xnames)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  if (!is.null(x$lvq_method)) {
    cat(sprintf("Learning rate %g, %d steps (%d moved a prototype), start: %s\n", x$learning_rate,
                x$iterations, x$updates, x$init))
  } else if (identical(x$prototype_method, "gaussian_mixture")) {
    cat(sprintf("EM in each class, best of %d start(s)%s; log-likelihoods %s\n", x$starts,
                if (isTRUE(x$converged)) "" else "; not all converged",
                paste(sprintf("%s: %.4g", x$levels, vapply(x$mixtures, `[[`, 0, "loglik")),
                      collapse = ", ")))
  } else {
    cat(sprintf("k-means in each class, best of %d start(s)%s\n", x$starts,
                if (isTRUE(x$converged)) "" else "; not all converged"))
  }
  P <- x$prototypes
  if (nrow(P) <= 20L && ncol(P) <= 8L) {
    cat("\nPrototypes:\n")
    print(signif(P, digits))
  }
  invisible(x)
}

#' @rdname predict.statlearn_prototypes
#' @param x A fit, for `plot()`.
#' @param dimensions,resolution,col As for [plot.statlearn_classifier()].
#' @details `plot()` draws the decision regions with
#'   [plot.statlearn_classifier()] and the prototypes as large discs in the
#'   colours of their classes, as ESL Figures 13.1 and 13.2.
#' @export
plot.statlearn_prototypes <- function(x, dimensions = c(1L, 2L), resolution = 150L, col = NULL, ...) {
  dims <- check_plot_dimensions(dimensions, x$xnames)
  plot.statlearn_classifier(x, dimensions = dimensions, resolution = resolution, col = col, ...)
  col <- col %||% class_colours(length(x$levels))
  P <- x$prototypes
  graphics::points(P[, dims[1L]], P[, dims[2L]], pch = 21, bg = col[as.integer(x$prototype_class)],
                   col = "black", cex = 1.8, lwd = 1.5)
  invisible(x)
}
