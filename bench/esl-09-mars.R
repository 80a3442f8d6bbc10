# ESL 9.4: mars() against earth::earth() on the spam training set (3065 x 57,
# the book's split), response spam as 0/1, degree 1 and 2 (the book fits both),
# with identical settings (earth's defaults: nk = 115, penalty 2 / 3,
# thresh 0.001, fast.k 20, automatic minspan/endspan, backward pruning), and the
# binomial version (glm on the selected terms, earth's glm = list(family =
# binomial)). Both fits select the same terms (checked below), so the timings
# compare the same work. Target: at most 0.5 x earth's time.
# Run from the package root after installing: Rscript bench/esl-09-mars.R
library(statlearn)
stopifnot(requireNamespace("bench"), requireNamespace("earth"))
data("spam", package = "statlearn")
tr <- spam[!spam$test, ]
x <- as.matrix(tr[, 1:57])
y <- as.numeric(tr$spam == "spam")
threads <- statlearn_threads(2)
rows <- list()
for (degree in 1:2) {
  a <- mars(x, y, degree = degree, threads = 1)
  e <- earth::earth(x, y, degree = degree, pmethod = "backward")
  stopifnot(isTRUE(all.equal(a$selected, e$selected.terms)),
            isTRUE(all.equal(unname(a$forward_cuts), unname(e$cuts))))
  res <- bench::mark(
    statlearn_1_thread = mars(x, y, degree = degree, threads = 1),
    statlearn = mars(x, y, degree = degree, threads = threads),
    earth = earth::earth(x, y, degree = degree, pmethod = "backward"),
    iterations = 10, check = FALSE, filter_gc = FALSE
  )
  med <- as.numeric(res$median)
  rows[[length(rows) + 1L]] <- data.frame(
    task = sprintf("spam 0/1, degree %d", degree), statlearn_1 = med[1], statlearn = med[2],
    earth = med[3], ratio_1_thread = med[1] / med[3], ratio = med[2] / med[3])
  resb <- bench::mark(
    statlearn = mars(x, y, degree = degree, family = "binomial", threads = threads),
    earth = earth::earth(x, y, degree = degree, glm = list(family = stats::binomial)),
    iterations = 5, check = FALSE, filter_gc = FALSE
  )
  medb <- as.numeric(resb$median)
  rows[[length(rows) + 1L]] <- data.frame(
    task = sprintf("spam binomial, degree %d", degree), statlearn_1 = NA, statlearn = medb[1],
    earth = medb[2], ratio_1_thread = NA, ratio = medb[1] / medb[2])
}
out <- do.call(rbind, rows)
cat(sprintf("threads = %d; times in seconds (median); ratio = statlearn / earth\n", threads))
print(out, digits = 3, row.names = FALSE)
