# Learning vector quantisation (ESL 13.2.2): the LVQ updates of
# statlearn::learning_vector_quantization() against class::lvq1(), olvq1() and
# lvq3() from the same codebook and the same sequence of observations (the
# codebooks must agree), then a whole fit (k-means start, LVQ, prediction of a
# large test set) against class's lvqinit + olvq1 + lvqtest.
# n = 2e4, p = 10, 3 classes, 20 prototypes per class, 1e5 steps.
# Run from the package root after installing: Rscript bench/esl-13-lvq.R
library(statlearn)
stopifnot(requireNamespace("bench"), requireNamespace("class"))
set.seed(2026)
n <- 2e4; p <- 10; K <- 3; m <- 20; steps <- 1e5
means <- matrix(rnorm(K * 5 * p, sd = 1.5), K * 5)
comp <- sample(K * 5, n, TRUE)
x <- means[comp, ] + matrix(rnorm(n * p), n)
cl <- factor((comp - 1) %% K + 1)
xtest <- means[comp, ] + matrix(rnorm(n * p), n)
threads <- statlearn_threads()
cb <- class::lvqinit(x, cl, size = K * m)
order <- sample(n, steps, TRUE)
rows <- list()
for (method in c("lvq1", "olvq1", "lvq3")) {
  set.seed(1)
  ref <- switch(method, lvq1 = class::lvq1(x, cl, cb, niter = steps),
                olvq1 = class::olvq1(x, cl, cb, niter = steps),
                lvq3 = class::lvq3(x, cl, cb, niter = steps))
  set.seed(1)
  ord <- sample(n, steps, TRUE)
  ours <- statlearn:::lvq_update(x, cl, cb$x, cb$cl, ord, method)
  stopifnot(max(abs(unname(ours) - unname(ref$x))) < 1e-12)
  res <- bench::mark(
    statlearn = statlearn:::lvq_update(x, cl, cb$x, cb$cl, ord, method),
    class = switch(method, lvq1 = class::lvq1(x, cl, cb, niter = steps),
                   olvq1 = class::olvq1(x, cl, cb, niter = steps),
                   lvq3 = class::lvq3(x, cl, cb, niter = steps)),
    iterations = 5, check = FALSE, filter_gc = FALSE
  )
  rows[[method]] <- data.frame(task = paste("updates", method), method = as.character(res$expression),
                               median_s = as.numeric(res$median))
}
res <- bench::mark(
  statlearn = predict(learning_vector_quantization(x, cl, prototypes = m, init = "sample",
                                                   iterations = steps, seed = 1, threads = threads),
                      xtest, threads = threads),
  class = class::lvqtest(class::olvq1(x, cl, class::lvqinit(x, cl, size = K * m), niter = steps),
                         xtest),
  iterations = 3, check = FALSE, filter_gc = FALSE
)
rows$fit <- data.frame(task = "fit + predict", method = as.character(res$expression),
                       median_s = as.numeric(res$median))
tab <- do.call(rbind, rows)
tab$ratio_to_class <- tab$median_s / rep(tab$median_s[tab$method == "class"], each = 2)
print(tab, digits = 4, row.names = FALSE)
cat(sprintf("threads = %d; the updates are sequential (one thread); target: at most class's time\n",
            threads))
