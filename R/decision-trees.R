# ESL 9.2: classification and regression trees (CART), grown by recursive
# binary splitting and pruned by cost complexity, with surrogate splits for
# missing values and cross-validation of the pruning parameter. The engine is
# inst/include/statlearn/trees/cart.h; its rules are those of rpart, so that
# fits agree with rpart::rpart().

#' Classification and regression trees
#'
#' Grows a binary tree by recursive partitioning (ESL 9.2, Breiman et al.,
#' 1984): at each node every input is searched for the split that most
#' reduces the node's impurity, the Gini index or the entropy (deviance) for
#' classification (ESL 9.2.3) and the residual sum of squares for regression
#' (ESL 9.2.2). The tree is grown until a node has fewer than `min_split`
#' observations, a child would have fewer than `min_bucket`, the depth reaches
#' `max_depth`, or no split improves the fit by at least `cp` times the root
#' node's risk. Every internal node records its complexity, the value of the
#' cost-complexity parameter \eqn{\alpha}{alpha} (relative to the root risk)
#' at which weakest-link pruning (ESL 9.2.2) would remove it, which gives the
#' nested sequence of subtrees in `fit$cptable` and [prune_tree()].
#'
#' The algorithm follows rpart's rules exactly (the same splits, node table,
#' complexity table and, given the same folds, cross-validated errors):
#' split points are midpoints of neighbouring values; ties between inputs
#' keep the first; a numeric split is only made between distinct values;
#' categorical inputs are split by ordering their levels by the mean response
#' (regression and two classes, ESL 9.2.4) or, for three or more classes, by
#' trying every subset (at most `max_levels` levels); `max_competitors` competing
#' splits and `max_surrogates` surrogate splits are kept at each node.
#' Observations whose split input is missing are sent down by the first
#' surrogate split that can be evaluated (ESL 9.2.4), and if none can, by the
#' majority direction (`use_surrogate = 2`). Classification uses the `prior`
#' class probabilities and the `loss` matrix (rows: true class, columns:
#' predicted class) to weight the impurity and the misclassification risk.
#'
#' Cross-validation (`xval` folds, or a vector of fold numbers) grows a tree
#' on each training part, runs the held-out observations down it at the
#' geometric means of consecutive complexities, and reports the average loss
#' relative to the root risk (`xerror`) with its standard error (`xstd`). The
#' folds are drawn with R's random number generator (`seed`), and run on
#' `threads` threads with identical results for any number of threads.
#'
#' @inheritParams additive_model
#' @param x A data frame of inputs (numeric, logical or factor columns; factors
#'   are categorical inputs, ordered factors are treated as numeric scores) or a
#'   numeric matrix. For the formula method, a model formula such as
#'   `spam ~ .` (main effects only).
#' @param y The response: a factor (classification) or a numeric vector
#'   (regression).
#' @param weights Optional non-negative case weights.
#' @param method `"class"` or `"anova"` (regression); by default `"class"` when
#'   `y` is a factor (or logical or character) and `"anova"` otherwise.
#' @param split The impurity of classification splits: `"gini"` or
#'   `"information"` (entropy).
#' @param cp Complexity parameter: a split must decrease the overall lack of
#'   fit by a factor `cp` (of the root risk) to be kept.
#' @param min_split Smallest node that is split.
#' @param min_bucket Smallest number of observations in a terminal node.
#' @param max_depth Maximum depth of a node (root = 0), at most 30.
#' @param max_competitors Number of competing splits kept per node (they do not
#'   change the tree; `summary()` shows them).
#' @param max_surrogates Number of surrogate splits kept per node (0 turns them
#'   off, which is faster).
#' @param use_surrogate How observations with a missing split input are sent
#'   down: 0, stay at the node; 1, by surrogates only; 2, by surrogates and then
#'   the majority direction.
#' @param surrogate_style 0: agreement of a surrogate counts all observations;
#'   1: only those with the surrogate observed (as in the CART book).
#' @param xval Number of cross-validation folds (0 or 1: none), or a vector of
#'   fold numbers, one per observation.
#' @param prior,loss Classification only: prior class probabilities (default:
#'   the weighted class frequencies) and loss matrix (default: 1 off the
#'   diagonal).
#' @param max_levels Largest number of levels of a categorical input for the
#'   exhaustive subset search (three or more classes).
#' @param formula A model formula, `y ~ x1 + x2` or `y ~ .`.
#' @param data A data frame holding the formula's variables.
#' @param subset Optional expression selecting rows of `data`.
#' @param na.action What to do with missing values; the default `na.pass`
#'   keeps missing inputs for the surrogate splits. Rows with a missing
#'   response are dropped (as rpart does) and listed in the fit's
#'   `na.action`.
#' @inheritParams statlearn-params
#' @param seed `NULL` (the folds are drawn with R's random number generator,
#'   so [set.seed()] reproduces them) or a whole number with which they are
#'   drawn, leaving the caller's random stream untouched.
#' @return A list of class `statlearn_decision_tree`: `frame` (one row per
#'   node: node number, split variable or `"<leaf>"`, `n`, `wt`, `dev` (risk),
#'   `yval`, `complexity`, `ncompete`, `nsurrogate`), `splits` (primary,
#'   competing and surrogate splits: variable, count, ncat/direction, improve,
#'   split point or row of `csplit`, adjusted agreement), `csplit` (directions
#'   of the levels: -1 left, 1 right, 0 absent), `cptable`,
#'   `variable_importance`, `where` (row of `frame` of each training case),
#'   `yprob` and `counts` (classification) and the settings.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., Section 9.2. Breiman, Friedman, Olshen and
#'   Stone (1984), *Classification and Regression Trees*. Therneau and
#'   Atkinson, *An Introduction to Recursive Partitioning Using the RPART
#'   Routines*.
#' @family chapter 9
#' @examples
#' fit <- decision_tree(Species ~ ., data = iris, threads = 1)
#' fit
#' predict(fit, head(iris), type = "prob")
#' fit2 <- decision_tree(mpg ~ ., data = mtcars, min_split = 10, xval = 5, seed = 1, threads = 1)
#' fit2$cptable
#' prune_tree(fit2, cp = 0.05)
#' @export
decision_tree <- function(x, ...) UseMethod("decision_tree")

#' @rdname decision_tree
#' @export
decision_tree.default <- function(x, y, weights = NULL, method = NULL,
                                  split = c("gini", "information"), cp = 0.01, min_split = 20,
                                  min_bucket = round(min_split / 3), max_depth = 30,
                                  max_competitors = 4, max_surrogates = 5, use_surrogate = 2,
                                  surrogate_style = 0, xval = 10, prior = NULL, loss = NULL,
                                  max_levels = 20, threads = NULL, seed = NULL, ...) {
  check_dots(..., fun = "decision_tree")
  if (missing(min_bucket) && !missing(min_split)) min_bucket <- round(check_number(min_split, "min_split") / 3)
  if (!missing(min_bucket) && missing(min_split)) min_split <- 3 * check_number(min_bucket, "min_bucket")
  fit <- fit_decision_tree(x, y, weights, method, split, cp, min_split, min_bucket, max_depth,
                           max_competitors, max_surrogates, use_surrogate, surrogate_style, xval,
                           prior, loss, max_levels, threads, seed)
  fit$call <- match.call()
  fit
}

#' @rdname decision_tree
#' @export
decision_tree.formula <- function(formula, data, subset, weights, na.action = stats::na.pass, ...) {
  call <- match.call()
  mf <- call
  m <- match(c("formula", "data", "subset", "weights", "na.action"), names(mf), 0L)
  mf <- mf[c(1L, m)]
  mf$drop.unused.levels <- TRUE
  if (is.null(mf$na.action)) mf$na.action <- quote(stats::na.pass)
  mf[[1L]] <- quote(stats::model.frame)
  mf <- tryCatch(eval(mf, parent.frame()), error = function(e) {
    abort(sprintf("Could not build the model frame from `formula` and `data`: %s",
                  conditionMessage(e)), class = c("statlearn_error_formula", "statlearn_error_input"))
  })
  tt <- attr(mf, "terms")
  if (attr(tt, "response") == 0L) {
    abort_input("formula", "a formula with a response, y ~ inputs", deparse(formula)[1L],
                class = "statlearn_error_formula")
  }
  labels <- attr(tt, "term.labels")
  if (any(attr(tt, "order") > 1L)) {
    abort_input("formula", "main effects only (a tree finds interactions itself)",
                deparse(formula)[1L], class = "statlearn_error_formula")
  }
  if (!length(labels)) abort_input("formula", "at least one input", deparse(formula)[1L],
                                   class = "statlearn_error_formula")
  y <- stats::model.response(mf)
  w <- stats::model.weights(mf)
  # rows with a missing response carry nothing to fit: dropped (as rpart's
  # na.rpart does) and recorded in `na.action`
  omit <- which(is.na(y))
  if (length(omit)) {
    if (length(omit) == length(y)) {
      abort_input("formula", "a response with some observed values", "every response missing",
                  class = "statlearn_error_missing")
    }
    names(omit) <- rownames(mf)[omit]
    class(omit) <- "omit"
    mf <- mf[-omit, , drop = FALSE]
    y <- if (is.matrix(y)) y[-omit, , drop = FALSE] else y[-omit]
    if (!is.null(w)) w <- w[-omit]
  }
  x <- mf[labels]
  # rebuild only when needed (character or matrix terms): as.data.frame() of
  # every column costs more than the columns' own checks
  if (any(vapply(x, function(v) is.character(v) || !is.null(dim(v)), NA)) ||
      !identical(names(x), labels)) {
    x <- as.data.frame(lapply(x, function(v) if (is.character(v)) factor(v) else v),
                       check.names = FALSE, col.names = labels)
  }
  fit <- decision_tree.default(x, y, weights = w, ...)
  fit$call <- call
  fit$terms <- stats::delete.response(tt)
  fit$formula <- formula
  if (length(omit)) fit$na.action <- omit
  fit
}

# x: data frame or matrix -> list of double columns, level counts and levels
tree_design <- function(x, arg = "x") {
  if (is.matrix(x)) {
    if (!is.numeric(x) && !is.logical(x)) {
      abort_input(arg, "a numeric matrix or a data frame", describe(x), class = "statlearn_error_type")
    }
    cn <- colnames(x) %||% paste0("x", seq_len(ncol(x)))
    x <- as.data.frame(x, stringsAsFactors = FALSE)
    names(x) <- cn
  }
  if (!is.data.frame(x)) {
    abort_input(arg, "a numeric matrix or a data frame", describe(x), class = "statlearn_error_type")
  }
  p <- ncol(x)
  if (p == 0L) abort_input(arg, "at least one column", "none", class = "statlearn_error_empty")
  if (is.null(names(x)) || anyNA(names(x)) || any(!nzchar(names(x)))) names(x) <- paste0("x", seq_len(p))
  if (anyDuplicated(names(x))) abort_input(arg, "columns with distinct names", "duplicated names",
                                           class = "statlearn_error_input")
  levels <- vector("list", p)
  ordered <- logical(p)
  ncat <- integer(p)
  cols <- vector("list", p)
  xl <- unclass(x)  # a plain list: faster column access than [[.data.frame
  for (j in seq_len(p)) {
    v <- xl[[j]]
    if (is.character(v)) v <- factor(v)
    if (is.ordered(v)) {
      ordered[j] <- TRUE
      levels[[j]] <- levels(v)
      cols[[j]] <- as.double(unclass(v))
    } else if (is.factor(v)) {
      levels[[j]] <- levels(v)
      ncat[j] <- length(levels(v))
      cols[[j]] <- as.double(unclass(v))
    } else if (is.numeric(v) || is.logical(v)) {
      if (!is.null(dim(v))) abort_input(sprintf("%s$%s", arg, names(x)[j]), "a vector", describe(v),
                                        class = "statlearn_error_type")
      v <- as.double(v)
      # a finite sum rules out infinite values without a temporary
      if (!is.finite(sum(v, na.rm = TRUE)) && any(is.infinite(v))) {
        abort_input(sprintf("column `%s` of %s", names(x)[j], arg), "finite or missing values",
                    "infinite values", class = "statlearn_error_nonfinite")
      }
      cols[[j]] <- v
    } else {
      abort_input(sprintf("column `%s` of %s", names(x)[j], arg), "numeric, logical or factor",
                  describe(v), class = "statlearn_error_type")
    }
  }
  names(cols) <- names(x)
  list(cols = cols, ncat = ncat, levels = stats::setNames(levels, names(x)),
       ordered = ordered, names = names(x), n = nrow(x))
}

fit_decision_tree <- function(x, y, weights, method, split, cp, min_split, min_bucket, max_depth,
                              max_competitors, max_surrogates, use_surrogate, surrogate_style, xval,
                              prior, loss, max_levels, threads, seed) {
  des <- tree_design(x)
  n <- des$n
  if (n == 0L) abort_input("x", "at least one row", "none", class = "statlearn_error_empty")
  if (is.null(y) || length(y) != n) {
    abort_input("y", sprintf("of length %d (the number of rows of x)", n),
                sprintf("length %d", length(y)), class = "statlearn_error_length")
  }
  if (is.matrix(y) && ncol(y) == 1L) y <- drop(y)
  if (is.character(y) || is.logical(y)) y <- factor(y)
  if (is.null(method)) method <- if (is.factor(y)) "class" else "anova"
  method <- check_choice(method, c("class", "anova"), "method")
  if (anyNA(y)) abort_input("y", "free of missing values (drop those rows, e.g. na.action = na.omit)",
                            sprintf("%d missing", sum(is.na(y))), class = "statlearn_error_missing")
  weights <- check_weights(weights, n)
  split <- match.arg(split, c("gini", "information"))
  cp <- check_number(cp, "cp", lower = 0)
  min_split <- check_number(min_split, "min_split", lower = 1)
  min_bucket <- check_number(min_bucket, "min_bucket", lower = 1)
  max_depth <- check_count(max_depth, "max_depth", lower = 1, upper = 30)
  max_competitors <- check_count(max_competitors, "max_competitors", lower = 0)
  max_surrogates <- check_count(max_surrogates, "max_surrogates", lower = 0)
  use_surrogate <- check_count(use_surrogate, "use_surrogate", lower = 0, upper = 2)
  surrogate_style <- check_count(surrogate_style, "surrogate_style", lower = 0, upper = 1)
  max_levels <- check_count(max_levels, "max_levels", lower = 2, upper = 30)
  threads <- resolve_threads(threads)
  has_na <- vapply(des$cols, anyNA, NA)
  for (j in which(has_na)) {
    if (all(is.na(des$cols[[j]]))) {
      abort_input(sprintf("column `%s` of x", des$names[j]), "some observed values", "all missing",
                  class = "statlearn_error_missing")
    }
  }
  # cases with every input missing carry no information for a split: left
  # out (as rpart's na.rpart does), and reported in `dropped`
  dropped <- if (all(has_na)) which(Reduce(`&`, lapply(des$cols, is.na))) else integer(0)
  if (length(dropped)) {
    if (length(dropped) == n) abort_input("x", "some observed inputs", "every row all missing",
                                          class = "statlearn_error_missing")
    des$cols <- lapply(des$cols, function(v) v[-dropped])
    y <- y[-dropped]
    weights <- weights[-dropped]
    if (length(xval) == n && n > 1L) xval <- xval[-dropped]
    n <- n - length(dropped)
    des$n <- n
  }
  if (method == "class") {
    if (!is.factor(y)) {
      if (!is.numeric(y)) abort_input("y", "a factor for method = \"class\"", describe(y),
                                      class = "statlearn_error_type")
      y <- factor(y)
    }
    if (!all(tabulate(as.integer(y), nlevels(y)) > 0L)) y <- droplevels(y)
    ylevels <- levels(y)
    K <- length(ylevels)
    if (K < 2L) abort_input("y", "at least two classes", sprintf("one (\"%s\")", ylevels[1L]),
                            class = "statlearn_error_classes")
    yy <- as.double(as.integer(y))
    yi <- as.integer(y)
    counts <- vapply(seq_len(K), function(k) sum(weights[yi == k]), 0)
    if (is.null(prior)) prior <- counts / sum(counts) else {
      if (!is.numeric(prior) || length(prior) != K || anyNA(prior) || any(prior < 0) ||
          abs(sum(prior) - 1) > 1e-8) {
        abort_input("prior", sprintf("%d non-negative probabilities summing to 1", K), describe(prior),
                    class = "statlearn_error_input")
      }
      prior <- as.double(prior)
    }
    if (is.null(loss)) loss <- 1 - diag(K) else {
      if (!is.numeric(loss) || length(loss) != K^2 || anyNA(loss)) {
        abort_input("loss", sprintf("a %d x %d matrix", K, K), describe(loss), class = "statlearn_error_input")
      }
      loss <- matrix(as.double(loss), K)
      if (any(diag(loss) != 0) || any(loss < 0) || any(rowSums(loss) == 0)) {
        abort_input("loss", "non-negative with a zero diagonal and no row of zeros", "another matrix",
                    class = "statlearn_error_range")
      }
    }
    if (K > 2L) {
      big <- des$ncat > max_levels
      if (any(big)) {
        abort_input(sprintf("column `%s` of x", des$names[which(big)[1L]]),
                    sprintf("a factor with at most %d levels (max_levels) for a %d-class tree, whose subset search is exhaustive",
                            max_levels, K), sprintf("%d levels", des$ncat[which(big)[1L]]),
                    class = "statlearn_error_levels")
      }
    }
  } else {
    if (is.factor(y)) abort_input("y", "numeric for method = \"anova\"", describe(y),
                                  class = "statlearn_error_type")
    yy <- check_y(y, n)
    ylevels <- NULL
    K <- 0L
    prior <- loss <- numeric(0)
    counts <- NULL
  }
  # folds
  nfold <- 0L
  xgroups <- integer(0)
  if (length(xval) == n && n > 1L) {
    fo <- check_foldid(xval, NULL, n)
    xgroups <- fo$foldid
    nfold <- fo$folds
  } else {
    if (length(xval) > 1L) {
      abort_input("xval", sprintf("a number of folds or %d fold numbers, one per observation", n),
                  sprintf("length %d", length(xval)), class = "statlearn_error_length")
    }
    xval <- check_count(xval, "xval", lower = 0, upper = n)
    if (xval > 1L) {
      draw <- function() sample(rep(seq_len(xval), length.out = n), n, replace = FALSE)
      xgroups <- if (is.null(seed)) draw() else with_seed(check_number(seed, "seed", lower = 0, integer = TRUE), draw())
      nfold <- xval
    }
  }
  control <- c(min_split, min_bucket, cp, max_competitors, max_surrogates, use_surrogate,
               surrogate_style, max_depth)
  res <- cpp_cart_fit(des$cols, des$ncat, yy, weights, if (method == "class") 1L else 0L, K,
                      prior, as.double(loss), if (split == "gini") 1L else 2L, control,
                      as.integer(xgroups), nfold, threads)
  tree_from_engine(res, des, method, ylevels, prior, loss, split, counts, weights,
                   list(min_split = min_split, min_bucket = min_bucket, cp = cp,
                        max_competitors = max_competitors, max_surrogates = max_surrogates,
                        use_surrogate = use_surrogate, surrogate_style = surrogate_style,
                        max_depth = max_depth, xval = nfold), dropped)
}

tree_from_engine <- function(res, des, method, ylevels, prior, loss, split, counts, weights, control,
                             dropped = integer(0)) {
  vnames <- des$names
  nn <- length(res$node)
  is_split <- res$index > 0L
  var <- rep("<leaf>", nn)
  var[is_split] <- vnames[res$split_var[res$index[is_split]]]
  resp <- res$resp
  # (built directly: data.frame() and format() cost more than the rest here)
  frame <- structure(list(var = var, n = as.integer(res$n), wt = res$wt, dev = res$dev,
                          yval = unname(resp[, 1L]), complexity = res$complexity,
                          ncompete = pmax(0L, res$nprimary - 1L), nsurrogate = res$nsurrogate),
                     class = "data.frame", row.names = sprintf("%.0f", res$node))
  splits <- cbind(var = res$split_var, count = res$split_count, ncat = res$split_ncat,
                  improve = res$split_improve, index = res$split_index, adj = res$split_adj)
  rownames(splits) <- vnames[res$split_var]
  cpt <- res$cptable
  colnames(cpt) <- c("CP", "nsplit", "rel error", "xerror", "xstd")[seq_len(ncol(cpt))]
  rownames(cpt) <- seq_len(nrow(cpt))
  fit <- list(frame = frame, splits = splits, csplit = res$csplit, cptable = cpt,
              method = method, split = split, ylevels = ylevels, xnames = vnames,
              ncat = des$ncat, xlevels = des$levels, ordered = des$ordered,
              control = control, n = des$n, dropped = dropped)
  if (method == "class") {
    K <- length(ylevels)
    cnt <- resp[, 1L + seq_len(K), drop = FALSE]
    tmp <- cnt %*% diag(prior / pmax(1, counts), nrow = K)
    fit$yprob <- tmp / rowSums(tmp)
    fit$counts <- cnt
    colnames(fit$yprob) <- colnames(fit$counts) <- ylevels
    fit$nodeprob <- resp[, K + 2L] / sum(weights)
    fit$prior <- prior
    fit$loss <- loss
  }
  # the row of the frame that each training case ends in (cases held at a
  # node because no surrogate could send them on stay at that node)
  which <- res$which
  ids <- res$node
  where <- match(which, ids)
  while (anyNA(where)) {
    miss <- is.na(where)
    which[miss] <- floor(which[miss] / 2)
    where[miss] <- match(which[miss], ids)
  }
  fit$where <- where
  fit$variable_importance <- tree_importance(fit)
  class(fit) <- c("statlearn_decision_tree", "statlearn_model")
  fit
}

# rows of `splits` of each node's primary split (0 for leaves)
tree_split_rows <- function(frame) {
  internal <- frame$var != "<leaf>"
  idx <- 1L + c(0L, cumsum(internal + frame$ncompete + frame$nsurrogate))[seq_len(nrow(frame))]
  idx[!internal] <- 0L
  idx
}

tree_importance <- function(fit) {
  ff <- fit$frame
  pri <- which(ff$var != "<leaf>")
  if (!length(pri)) return(stats::setNames(numeric(0), character(0)))
  rows <- tree_split_rows(ff)[pri]
  imp <- fit$splits[rows, "improve"]
  if (fit$method == "anova") imp <- imp * ff$dev[pri]
  # each primary split's improvement, and its surrogates' improvement times
  # their adjusted agreement, summed by variable
  ns <- ff$nsurrogate[pri]
  has <- ns > 0L
  s <- rep(rows[has] + ff$ncompete[pri[has]], ns[has]) + sequence(ns[has])
  nm <- c(as.character(ff$var[pri]), rownames(fit$splits)[s])
  val <- c(imp, rep(imp[has], ns[has]) * fit$splits[s, "adj"])
  sums <- rowsum(val, nm)
  out <- stats::setNames(sums[, 1L], rownames(sums))
  sort(out, decreasing = TRUE)
}

# Inputs of newdata as the engine's columns, coded with the training levels.
tree_newdata <- function(object, newdata) {
  if (!is.null(object$terms)) {
    if (!is.data.frame(newdata)) newdata <- as.data.frame(newdata)
    missing_vars <- setdiff(all.vars(object$terms), names(newdata))
    if (length(missing_vars)) {
      abort_input("newdata", "a data frame with the model's inputs",
                  sprintf("no column %s", paste0("`", missing_vars, "`", collapse = ", ")),
                  class = "statlearn_error_input")
    }
    mf <- stats::model.frame(object$terms, newdata, na.action = stats::na.pass)
    x <- mf[object$xnames]
  } else {
    if (is.matrix(newdata)) {
      if (is.null(colnames(newdata)) && ncol(newdata) == length(object$xnames)) colnames(newdata) <- object$xnames
      newdata <- as.data.frame(newdata, stringsAsFactors = FALSE)
    }
    if (!is.data.frame(newdata)) abort_input("newdata", "a data frame or matrix", describe(newdata),
                                             class = "statlearn_error_type")
    miss <- setdiff(object$xnames, names(newdata))
    if (length(miss)) {
      abort_input("newdata", "the columns the tree was fitted on",
                  sprintf("no column %s", paste0("`", miss, "`", collapse = ", ")), class = "statlearn_error_input")
    }
    x <- newdata[object$xnames]
  }
  cols <- vector("list", length(object$xnames))
  for (j in seq_along(object$xnames)) {
    v <- x[[j]]
    lev <- object$xlevels[[j]]
    if (!is.null(lev)) {
      vc <- as.character(v)
      bad <- setdiff(unique(vc[!is.na(vc)]), lev)
      if (length(bad)) {
        abort_input(sprintf("column `%s` of newdata", object$xnames[j]),
                    sprintf("levels seen in training (%s)", paste(lev, collapse = ", ")),
                    sprintf("new level%s %s", if (length(bad) > 1L) "s" else "",
                            paste0("\"", bad, "\"", collapse = ", ")), class = "statlearn_error_levels")
      }
      cols[[j]] <- as.double(match(vc, lev))
    } else {
      if (!(is.numeric(v) || is.logical(v))) {
        abort_input(sprintf("column `%s` of newdata", object$xnames[j]), "numeric", describe(v),
                    class = "statlearn_error_type")
      }
      cols[[j]] <- as.double(v)
    }
  }
  cols
}

tree_where <- function(object, cols) {
  ff <- object$frame
  if (nrow(ff) == 1L) return(rep(1L, length(cols[[1L]])))
  cpp_cart_where(cols, as.integer(object$ncat), as.double(row.names(ff)), as.integer(ff$n),
                 as.integer(tree_split_rows(ff)), as.integer(ff$ncompete), as.integer(ff$nsurrogate),
                 as.integer(object$splits[, "var"]), as.integer(object$splits[, "ncat"]),
                 as.double(object$splits[, "index"]),
                 if (length(object$csplit)) object$csplit else matrix(0L, 0, 1),
                 as.integer(object$control$use_surrogate))
}

#' @rdname decision_tree
#' @param object A fitted tree.
#' @param newdata Data with the inputs (a data frame for formula fits); `NULL`
#'   for the training cases.
#' @param type `"class"` (class labels), `"prob"` (class probabilities),
#'   `"response"` (fitted mean; for classification, the class label) or
#'   `"node"` (terminal node number).
#' @export
predict.statlearn_decision_tree <- function(object, newdata = NULL, type = NULL, ...) {
  check_dots(..., fun = "predict")
  if (is.null(type)) type <- if (object$method == "class") "class" else "response"
  type <- check_choice(type, c("class", "prob", "response", "node"), "type")
  if (object$method == "anova" && type %in% c("class", "prob")) {
    abort_input("type", "\"response\" or \"node\" for a regression tree", sprintf("\"%s\"", type),
                class = "statlearn_error_input")
  }
  where <- if (is.null(newdata)) object$where else tree_where(object, tree_newdata(object, newdata))
  ff <- object$frame
  switch(type,
    node = as.integer(row.names(ff))[where],
    prob = object$yprob[where, , drop = FALSE],
    class = , response = if (object$method == "class") {
      factor(object$ylevels[ff$yval[where]], levels = object$ylevels)
    } else ff$yval[where]
  )
}

# label of the split leading to each node (rpart's "x< 2.5", "f=a,b")
tree_labels <- function(fit, digits = getOption("digits")) {
  ff <- fit$frame
  ids <- as.numeric(row.names(ff))
  lab <- rep("root", nrow(ff))
  rows <- tree_split_rows(ff)
  for (i in which(rows > 0L)) {
    s <- fit$splits[rows[i], ]
    v <- rownames(fit$splits)[rows[i]]
    j <- s[["var"]]
    li <- match(2 * ids[i], ids)
    ri <- match(2 * ids[i] + 1, ids)
    if (fit$ncat[j] > 0L) {
      dirs <- fit$csplit[s[["index"]], seq_len(fit$ncat[j])]
      lev <- fit$xlevels[[j]]
      lab[li] <- paste0(v, "=", paste(lev[dirs == -1L], collapse = ","))
      lab[ri] <- paste0(v, "=", paste(lev[dirs == 1L], collapse = ","))
    } else {
      pt <- format(signif(s[["index"]], digits))
      if (s[["ncat"]] == -1) {
        lab[li] <- paste0(v, "< ", pt)
        lab[ri] <- paste0(v, ">=", pt)
      } else {
        lab[li] <- paste0(v, ">=", pt)
        lab[ri] <- paste0(v, "< ", pt)
      }
    }
  }
  lab
}

tree_yval_label <- function(fit, digits) {
  ff <- fit$frame
  if (fit$method == "class") fit$ylevels[ff$yval] else format(signif(ff$yval, digits))
}

#' @export
print.statlearn_decision_tree <- function(x, digits = getOption("digits"), ...) {
  ff <- x$frame
  ids <- as.numeric(row.names(ff))
  depth <- floor(log2(ids) + 1e-7)
  cat("n=", x$n, "\n\n")
  if (x$method == "class") {
    cat("node), split, n, loss, yval, (yprob)\n")
  } else {
    cat("node), split, n, deviance, yval\n")
  }
  cat("      * denotes terminal node\n\n")
  lab <- tree_labels(x, digits)
  yv <- tree_yval_label(x, digits)
  extra <- if (x$method == "class") {
    paste0(" (", apply(format(x$yprob, digits = digits, nsmall = 0), 1L, paste, collapse = " "), ")")
  } else ""
  term <- ifelse(ff$var == "<leaf>", " *", "")
  lines <- paste0(strrep("  ", depth), format(ids), ") ", lab, " ", ff$n, " ",
                  format(signif(ff$dev, digits)), " ", yv, extra, term)
  cat(lines, sep = "\n")
  invisible(x)
}

#' @export
summary.statlearn_decision_tree <- function(object, ...) {
  out <- list(call = object$call, cptable = object$cptable,
              variable_importance = object$variable_importance, frame = object$frame,
              splits = object$splits, method = object$method, n = object$n,
              leaves = sum(object$frame$var == "<leaf>"))
  class(out) <- "summary.statlearn_decision_tree"
  out
}

#' @export
print.summary.statlearn_decision_tree <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  if (!is.null(x$call)) {
    cat("Call:\n")
    print(x$call)
  }
  cat(sprintf("\n%s tree: n = %d, %d terminal nodes\n\n",
              if (x$method == "class") "Classification" else "Regression", x$n, x$leaves))
  print(signif(x$cptable, digits))
  if (length(x$variable_importance)) {
    cat("\nVariable importance (percent)\n")
    vi <- round(100 * x$variable_importance / sum(x$variable_importance))
    print(vi[vi > 0])
  }
  ff <- x$frame
  rows <- tree_split_rows(ff)
  cat("\nPrimary and competing splits:\n")
  for (i in which(rows > 0L)) {
    s <- x$splits[rows[i] + seq_len(1L + ff$ncompete[i]) - 1L, , drop = FALSE]
    cat(sprintf("  node %s (n = %d): %s\n", row.names(ff)[i], ff$n[i],
                paste(sprintf("%s (improve %s)", rownames(s), format(signif(s[, "improve"], digits))),
                      collapse = ", ")))
  }
  invisible(x)
}

#' Prune a decision tree by cost complexity
#'
#' Weakest-link pruning (ESL 9.2.2): removes every split whose complexity is at
#' most `cp`, giving the subtree of [decision_tree()]'s `cptable` for that value
#' of the cost-complexity parameter (relative to the root risk), as
#' `rpart::prune()` does.
#'
#' @param fit A [decision_tree()] fit.
#' @param cp The complexity parameter; see [decision_tree_cp()] for the
#'   cross-validated choices.
#' @return The pruned tree (a `statlearn_decision_tree`).
#' @family chapter 9
#' @examples
#' fit <- decision_tree(mpg ~ ., data = mtcars, min_split = 6, cp = 0, xval = 0, threads = 1)
#' prune_tree(fit, cp = 0.1)
#' @export
prune_tree <- function(fit, cp) {
  if (!inherits(fit, "statlearn_decision_tree")) {
    abort_input("fit", "a decision_tree() fit", describe(fit), class = "statlearn_error_type")
  }
  cp <- check_number(cp, "cp", lower = 0)
  ff <- fit$frame
  ids <- as.numeric(row.names(ff))
  toss <- ids[ff$complexity <= cp & ff$var != "<leaf>"]
  if (!length(toss)) return(fit)
  # a node goes if one of its proper ancestors is tossed
  anc_tossed <- logical(length(ids))
  a <- floor(ids / 2)
  while (any(a >= 1)) {
    anc_tossed <- anc_tossed | (a %in% toss)
    a <- floor(a / 2)
  }
  rows <- tree_split_rows(ff)
  nsp <- ifelse(rows > 0L, 1L + ff$ncompete + ff$nsurrogate, 0L)
  keep_node <- !anc_tossed
  leaf_now <- ids %in% toss
  split_keep <- unlist(lapply(seq_along(ids), function(i) {
    if (rows[i] > 0L) rep(keep_node[i] && !leaf_now[i], nsp[i]) else logical(0)
  }))
  splits <- fit$splits[split_keep, , drop = FALSE]
  csplit <- fit$csplit
  if (length(csplit) && nrow(splits)) {
    cat_rows <- splits[, "ncat"] > 1 & fit$ncat[splits[, "var"]] > 0
    old <- splits[cat_rows, "index"]
    csplit <- csplit[old, , drop = FALSE]
    splits[cat_rows, "index"] <- seq_along(old)
  } else if (length(csplit)) csplit <- csplit[0, , drop = FALSE]
  new_ff <- ff[keep_node, , drop = FALSE]
  lv <- leaf_now[keep_node]
  new_ff$var[lv] <- "<leaf>"
  new_ff$ncompete[lv] <- 0L
  new_ff$nsurrogate[lv] <- 0L
  out <- fit
  out$frame <- new_ff
  out$splits <- splits
  out$csplit <- csplit
  if (fit$method == "class") {
    out$yprob <- fit$yprob[keep_node, , drop = FALSE]
    out$counts <- fit$counts[keep_node, , drop = FALSE]
    out$nodeprob <- fit$nodeprob[keep_node]
  }
  # each training case moves to its nearest surviving ancestor
  old_ids <- ids[fit$where]
  new_ids <- as.numeric(row.names(new_ff))
  w <- match(old_ids, new_ids)
  while (anyNA(w)) {
    m <- is.na(w)
    old_ids[m] <- floor(old_ids[m] / 2)
    w[m] <- match(old_ids[m], new_ids)
  }
  out$where <- w
  temp <- pmax(fit$cptable[, 1L], cp)
  keep <- match(unique(temp), temp)
  out$cptable <- fit$cptable[keep, , drop = FALSE]
  out$cptable[max(keep), 1L] <- cp
  out$variable_importance <- tree_importance(out)
  out
}

#' Cross-validated choice of the complexity parameter
#'
#' From a [decision_tree()] fitted with cross-validation: the row of
#' `cptable` with the smallest cross-validated error (`rule = "min"`), or the
#' smallest tree whose error is within one standard error of that minimum
#' (`rule = "one_se"`, ESL 7.10 and 9.2.5).
#'
#' @param fit A [decision_tree()] fit with `xval` > 1.
#' @param rule `"one_se"` or `"min"`.
#' @return A list: `cp` (the complexity to give [prune_tree()]: the geometric
#'   mean of the row's CP and the one above it, which lies inside the row's
#'   interval), `nsplit`, `size` (terminal nodes), `xerror`, `xstd`, `row`.
#' @family chapter 9
#' @examples
#' fit <- decision_tree(mpg ~ ., data = mtcars, min_split = 6, cp = 0, xval = 5, seed = 2, threads = 1)
#' decision_tree_cp(fit)
#' @export
decision_tree_cp <- function(fit, rule = c("one_se", "min")) {
  rule <- match.arg(rule)
  cpt <- fit$cptable
  if (!"xerror" %in% colnames(cpt)) {
    abort_input("fit", "a tree fitted with cross-validation (xval > 1)", "no xerror column",
                class = "statlearn_error_input")
  }
  i <- which.min(cpt[, "xerror"])
  if (rule == "one_se") {
    i <- which(cpt[, "xerror"] <= cpt[i, "xerror"] + cpt[i, "xstd"])[1L]
  }
  cpv <- if (i == 1L) cpt[1L, "CP"] else sqrt(cpt[i, "CP"] * cpt[i - 1L, "CP"])
  i <- unname(i)
  list(cp = unname(cpv), nsplit = unname(cpt[i, "nsplit"]), size = unname(cpt[i, "nsplit"]) + 1,
       xerror = unname(cpt[i, "xerror"]), xstd = unname(cpt[i, "xstd"]), row = i)
}

#' @rdname decision_tree
#' @param main Plot title.
#' @param cex Text size; by default chosen so that labels do not overprint.
#' @param digits Significant digits of split points and fitted values.
#' @export
plot.statlearn_decision_tree <- function(x, main = NULL, cex = NULL, digits = 3, ...) {
  ff <- x$frame
  ids <- as.numeric(row.names(ff))
  depth <- floor(log2(ids) + 1e-7)
  leaf <- ff$var == "<leaf>"
  # leaves left to right in preorder
  xpos <- numeric(nrow(ff))
  xpos[leaf] <- seq_len(sum(leaf))
  for (i in rev(which(!leaf))) {
    xpos[i] <- mean(xpos[match(c(2, 2) * ids[i] + c(0, 1), ids)])
  }
  maxd <- max(depth)
  ypos <- maxd - depth
  lab <- tree_labels(x, digits)
  yv <- tree_yval_label(x, digits)
  leaf_lab <- if (x$method == "class") {
    paste0(yv, "\n", apply(round(x$counts), 1L, paste, collapse = "/"))
  } else paste0(yv, "\nn=", ff$n)
  old <- graphics::par(mar = c(0.5, 0.5, if (is.null(main)) 0.5 else 2.5, 0.5))
  on.exit(graphics::par(old))
  graphics::plot.new()
  graphics::plot.window(xlim = c(0.5, sum(leaf) + 0.5), ylim = c(-0.7, maxd + 0.45))
  if (!is.null(main)) graphics::title(main = main)
  for (i in which(!leaf)) {
    ch <- match(c(2, 2) * ids[i] + c(0, 1), ids)
    graphics::segments(xpos[ch[1]], ypos[i], xpos[ch[2]], ypos[i])
    graphics::segments(xpos[ch], ypos[i], xpos[ch], ypos[ch])
  }
  # split labels sit over the horizontal bar of each internal node: the label
  # of the left branch; width limited by the spacing of leaves
  # split labels on two lines (variable, then the condition of the left
  # branch), under the bar where no line runs
  slab <- sub("(<|>=|=)", "\n\\1", lab)
  if (is.null(cex)) {
    room <- rep(1, nrow(ff))
    for (i in which(!leaf)) room[i] <- max(1, diff(xpos[match(c(2, 2) * ids[i] + c(0, 1), ids)]))
    lines_w <- function(s) max(graphics::strwidth(strsplit(s, "\n")[[1L]], cex = 1))
    need <- vapply(which(!leaf), function(i) lines_w(slab[match(2 * ids[i], ids)]) / room[i], 0)
    need_leaf <- vapply(leaf_lab[leaf], lines_w, 0)
    cex <- min(1, 0.85 / max(c(need, need_leaf), 1e-8))
    cex <- max(cex, 0.4)
  }
  for (i in which(!leaf)) {
    li <- match(2 * ids[i], ids)
    graphics::text(xpos[i], ypos[i], slab[li], pos = 1, offset = 0.3, cex = cex)
  }
  graphics::text(xpos[leaf], ypos[leaf], leaf_lab[leaf], pos = 1, offset = 0.3, cex = cex)
  invisible(x)
}
