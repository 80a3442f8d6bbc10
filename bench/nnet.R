# Neural networks (issue 4): speed of the statlearn engine against nnet, and
# the fraction of the SGEMM peak a small CNN reaches.
#  1. MLP 256-32-10 (sigmoid hidden, softmax output, cross-entropy) on the zip
#     training digits (7291 x 256): full-batch gradient evaluations per second,
#     statlearn against nnet. Target: statlearn >= 20x nnet.
#  2. LeNet-style CNN on zip_train, batch 64, Adam: training images per second,
#     and its conv layers' forward pass by im2col + GEMM against a direct
#     convolution (the engine uses the faster)
#     and the fraction of the measured SGEMM peak (1024^3) it reaches.
# Same data and the same starting weights on both sides; medians of several
# runs (bench::bench_time: wall clock and CPU); ratios printed. nnet is
# single-threaded; statlearn runs with 1 and 2 threads. Takes about 2-3 minutes.
# Run from the package root with the package installed:
#   R_LIBS=/tmp/lib-bench Rscript bench/nnet.R
library(statlearn)
library(bench)
library(nnet)

# Wall-clock and CPU (process) seconds of `reps` runs of `expr`, via
# bench::bench_time. The machine is shared: the wall-clock medians are the
# house measure; the CPU seconds of 1-thread runs do not count the time the
# process waits for a core, so the 1-thread ratios are also given on them.
measure <- function(name, expr, reps) {
  f <- eval(call("function", NULL, substitute(expr)), parent.frame())
  t <- vapply(seq_len(reps), function(i) as.numeric(bench::bench_time(f())), numeric(2))
  data.frame(what = name, reps = reps, real_median = median(t[2, ]), real_min = min(t[2, ]),
             cpu_median = median(t[1, ]))
}
show <- function(m) print(m, digits = 3, row.names = FALSE)
loadavg <- function() paste(scan("/proc/loadavg", what = "", n = 3, quiet = TRUE), collapse = " ")

cpu <- grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)
cat(sprintf("machine: %s (%d logical cores), %s\n", sub(".*: ", "", cpu[1]), length(cpu),
            R.version.string))
cat(sprintf("R BLAS: %s (statlearn uses its own SGEMM, nnet no BLAS)\n", extSoftVersion()[["BLAS"]]))
cat(sprintf("statlearn %s, nnet %s, bench %s; load average at start: %s\n",
            packageVersion("statlearn"), packageVersion("nnet"), packageVersion("bench"), loadavg()))

# SGEMM peak -------------------------------------------------------------------
cat("\n== SGEMM peak, 1024 x 1024 x 1024 (best of 3 batches of 10)\n")
set.seed(1)
a <- matrix(runif(1024^2), 1024)
b <- matrix(runif(1024^2), 1024)
peak <- vapply(1:2, function(threads) {
  sec <- min(vapply(1:3, function(r) statlearn:::cpp_sgemm_seconds(a, b, FALSE, FALSE, 10L, threads), 0)) / 10
  2 * 1024^3 / sec / 1e9
}, 0)
cat(sprintf("threads %d: %.1f GFLOP/s\n", 1:2, peak), sep = "")

# MLP 256-32-10 ------------------------------------------------------------------
x <- as.matrix(zip_train[, -1])
y <- zip_train$digit
Y <- class.ind(y)
n <- nrow(x)
mlp <- network(256) |> layer_dense(32, activation = "sigmoid") |> layer_dense(10)

# nnet stores the weights by destination unit: for each hidden unit its bias
# then its 256 input weights, then for each output unit its bias and its 32
# hidden weights. statlearn: kernel (in x out) and bias per dense layer.
to_nnet <- function(w) {
  c(rbind(w$dense_1$bias, w$dense_1$kernel), rbind(w$dense_2$bias, w$dense_2$kernel))
}
from_nnet <- function(v) {
  h <- matrix(v[1:(257 * 32)], 257)
  o <- matrix(v[-(1:(257 * 32))], 33)
  list(dense_1 = list(kernel = h[-1, ], bias = h[1, ]),
       dense_2 = list(kernel = o[-1, ], bias = o[1, ]))
}
w_sl <- statlearn:::with_seed(1, statlearn:::init_weights(mlp))  # glorot uniform, zero biases
w_nn <- to_nnet(w_sl)
stopifnot(identical(from_nnet(w_nn), lapply(w_sl, function(l) list(kernel = l$kernel, bias = l$bias))))

# A statlearn session holding the training data, for full-batch loss + gradient.
sl_session <- function(weights, precision, threads) {
  ptr <- statlearn:::new_session(mlp, "cross_entropy", weights, optimizer_sgd(), NULL,
                                 precision, threads, 1)
  tg <- statlearn:::network_targets(y, n, "cross_entropy", 10L)
  statlearn:::nn_session_data(ptr, 0L, statlearn:::network_input(x, mlp), tg$y)
  ptr
}
sl_gradient <- function(ptr) statlearn:::nn_session_gradient(ptr, 0L)

# nnet's loss on these weights through nnet() itself (it sets up and frees its
# own net, so call it before the set-up below).
f_nn0 <- nnet(x, Y, size = 32, softmax = TRUE, Wts = w_nn, maxit = 0, MaxNWts = 1e5, trace = FALSE)$value

# nnet's own full-batch loss + gradient routine (VR_dfunc, the function
# nnet's BFGS calls), set up exactly as nnet.default() does; the data pointer
# VR_dovm leaves behind stays valid while `nn_data` is alive.
ns <- asNamespace("nnet")
net <- list(n = c(256L, 32L, 10L))
net$nunits <- as.integer(1L + sum(net$n))
net$nconn <- rep(0, net$nunits + 1L)
net$conn <- numeric(0L)
net <- ns$norm.net(net)
nw <- length(net$conn)
invisible(.C(ns$VR_set_net, as.integer(net$n), as.integer(net$nconn), as.integer(net$conn),
             as.double(rep(0, nw)), as.integer(net$nunits - 10L), 0L, 1L, 0L))
nn_data <- .C(ns$VR_dovm, as.integer(n), as.double(cbind(x, Y)), rep(1, n), as.integer(nw),
              wts = as.double(w_nn), val = double(1), 0L, FALSE, rep(1L, nw), 1e-4, 1e-8,
              ifail = integer(1))
nn_gradient <- function(w) .C(ns$VR_dfunc, as.double(w), df = double(nw), f = double(1))

cat("\n== MLP 256-32-10: same loss and gradient on the same weights\n")
g_nn <- nn_gradient(w_nn)
for (precision in c("double", "single")) {
  g_sl <- sl_gradient(sl_session(w_sl, precision, 2L))
  # statlearn's gradient tensors in engine order: kernel 1, bias 1, kernel 2, bias 2
  gw <- from_nnet(g_nn$df / n)
  d <- c(g_sl$gradients[[1]] - gw$dense_1$kernel, g_sl$gradients[[2]] - gw$dense_1$bias,
         g_sl$gradients[[3]] - gw$dense_2$kernel, g_sl$gradients[[4]] - gw$dense_2$bias)
  cat(sprintf("%s: statlearn mean loss x n = %.6f, nnet value = %.6f (nnet(maxit = 0): %.6f), relative difference %.1e; largest |gradient difference| %.1e (largest |gradient| %.2f)\n",
              precision, g_sl$loss * n, g_nn$f, f_nn0, abs(g_sl$loss * n - g_nn$f) / g_nn$f,
              max(abs(d)), max(abs(g_nn$df / n))))
}

cat("\n== nnet: one full-batch loss + gradient (VR_dfunc, double, 1 thread), 10 runs\n")
m_nng <- measure("nnet gradient", nn_gradient(w_nn), 10)
show(m_nng)

cat("\n== nnet: seconds per BFGS iteration = (time(maxit = 9) - time(maxit = 3)) / 6, 3 runs each\n")
# Separate net setup inside nnet(); VR_unset_net() frees the one above first.
invisible(.C(ns$VR_unset_net))
rm(nn_data)
nnet_fit <- function(k) {
  f <- nnet(x, Y, size = 32, softmax = TRUE, Wts = w_nn, maxit = k, MaxNWts = 1e5, trace = FALSE)
  if (f$convergence != 1L) stop("nnet stopped before maxit = ", k)  # 1 = maxit reached
  f
}
m_nn <- rbind(measure("nnet maxit = 3", nnet_fit(3), 3), measure("nnet maxit = 9", nnet_fit(9), 3))
show(m_nn)
nn_iter <- (m_nn[2, c("real_median", "cpu_median")] - m_nn[1, c("real_median", "cpu_median")]) / 6
nn_grad <- m_nng[, c("real_median", "cpu_median")]
cat(sprintf("nnet: %.3f s per BFGS iteration (CPU %.3f s); its gradient alone %.3f s (CPU %.3f s), so %.0f%% of an iteration is the BFGS update and line search\n",
            nn_iter$real_median, nn_iter$cpu_median, nn_grad$real_median, nn_grad$cpu_median,
            100 * (1 - nn_grad$cpu_median / nn_iter$cpu_median)))

mlp_rows <- list()
for (threads in 1:2) {
  cat(sprintf("\n== statlearn MLP, %d thread(s)\n", threads))
  ptr <- sl_session(w_sl, "single", threads)
  train <- function(k) train_network(mlp, x, y, epochs = k, batch_size = n, seed = 1, threads = threads,
                                     verbose = FALSE, optimizer = optimizer_sgd(lr = 0.1))
  fits <- list()
  m <- rbind(measure("statlearn gradient (session, no R loop)", sl_gradient(ptr), 50),
             measure("train_network, 10 epochs", train(10), 5),
             measure("train_network, 50 epochs", {f <- train(50); fits[[length(fits) + 1]] <<- f}, 5))
  show(m)
  epoch <- (m[3, c("real_median", "cpu_median")] - m[2, c("real_median", "cpu_median")]) / 40
  grad <- m[1, c("real_median", "cpu_median")]
  epoch_hist <- median(unlist(lapply(fits, function(f) f$history$seconds)))
  cat(sprintf("seconds per full-batch gradient: session %.4f; train_network epoch (difference 50 - 10) %.4f; epoch from history$seconds (median) %.4f\n",
              grad$real_median, epoch$real_median, epoch_hist))
  cat(sprintf("gradient evaluations per second, statlearn / nnet (wall-clock medians):\n  vs nnet BFGS iteration: epoch %.1fx, gradient %.1fx\n  vs nnet gradient (VR_dfunc): epoch %.1fx, gradient %.1fx   (target >= 20x)\n",
              nn_iter$real_median / epoch$real_median, nn_iter$real_median / grad$real_median,
              nn_grad$real_median / epoch$real_median, nn_grad$real_median / grad$real_median))
  if (threads == 1L) {
    cat(sprintf("  same on CPU seconds: vs BFGS iteration: epoch %.1fx, gradient %.1fx; vs nnet gradient: epoch %.1fx, gradient %.1fx\n",
                nn_iter$cpu_median / epoch$cpu_median, nn_iter$cpu_median / grad$cpu_median,
                nn_grad$cpu_median / epoch$cpu_median, nn_grad$cpu_median / grad$cpu_median))
  }
  mlp_rows[[threads]] <- data.frame(threads = threads, gradient_s = grad$real_median,
                                    epoch_s = epoch$real_median, epoch_hist_s = epoch_hist,
                                    epoch_cpu_s = if (threads == 1L) epoch$cpu_median else NA)
}

# LeNet-style CNN ------------------------------------------------------------------
lenet <- network(c(16, 16, 1)) |>
  layer_conv2d(6, 5, padding = "same", activation = "relu") |> layer_max_pool2d(2) |>
  layer_conv2d(16, 5, activation = "relu") |> layer_max_pool2d(2) |> layer_flatten() |>
  layer_dense(120, activation = "relu") |> layer_dense(84, activation = "relu") |> layer_dense(10)

# Floating-point operations per training image: every conv / dense layer is a
# GEMM with M = output positions, N = filters (units), K = inputs per output;
# 2 M N K flops each for the forward product, the weight gradient and the
# input gradient (not needed for the first layer).
gemm_flops <- function(net) {
  total <- 0
  for (i in seq_along(net$layers)) {
    l <- net$layers[[i]]
    mnk <- switch(l$type,
      conv2d = c(prod(l$out_shape[1:2]), l$filters, prod(l$kernel_size) * l$in_shape[3]),
      dense = c(1, l$units, prod(l$in_shape)),
      NULL)
    if (is.null(mnk)) next
    total <- total + 2 * prod(mnk) * (if (i == 1L) 2 else 3)
  }
  total
}
flops <- gemm_flops(lenet)
cat(sprintf("\n== LeNet-style CNN, batch 64, Adam (lr 1e-3): %.0f flops per training image (forward + backward GEMMs)\n",
            flops))
cnn_rows <- list()
for (threads in 1:2) {
  train <- function(k) train_network(lenet, x, y, epochs = k, batch_size = 64, seed = 1, threads = threads,
                                     verbose = FALSE, optimizer = optimizer_adam(lr = 1e-3))
  fits <- list()
  m <- rbind(measure("1 epoch", train(1), 3),
             measure("3 epochs", {f <- train(3); fits[[length(fits) + 1]] <<- f}, 3))
  show(m)
  epoch <- (m[2, c("real_median", "cpu_median")] - m[1, c("real_median", "cpu_median")]) / 2
  epoch_diff <- epoch$real_median
  epoch_hist <- median(unlist(lapply(fits, function(f) f$history$seconds)))
  ips <- n / epoch_diff
  cat(sprintf("threads %d: %.3f s per epoch (difference 3 - 1; history$seconds median %.3f; CPU %.3f s): %.0f images/s, %.2f GFLOP/s = %.1f%% of the %.1f GFLOP/s SGEMM peak (%d thread%s); accuracy after 3 epochs %.3f\n",
              threads, epoch_diff, epoch_hist, epoch$cpu_median, ips, ips * flops / 1e9,
              100 * ips * flops / 1e9 / peak[threads], peak[threads], threads,
              if (threads > 1) "s" else "", fits[[1]]$history$accuracy[3]))
  if (threads == 1L) {
    cat(sprintf("  on CPU seconds (1 thread): %.0f images/s, %.1f%% of peak\n", n / epoch$cpu_median,
                100 * n / epoch$cpu_median * flops / 1e9 / peak[1]))
  }
  cnn_rows[[threads]] <- data.frame(threads = threads, epoch_s = epoch_diff, epoch_hist_s = epoch_hist,
                                    images_per_s = ips, gflops = ips * flops / 1e9,
                                    peak_fraction = ips * flops / 1e9 / peak[threads])
}

# Convolution method: im2col + GEMM against a direct (AVX2) convolution, for
# the forward pass of the two LeNet conv layers on a batch of 64 digits.
cat("\n== conv2d forward, im2col + GEMM vs direct, batch 64 (median of 5 x 50 passes)\n")
first <- t(x[1:64, ])
set.seed(2)
second <- matrix(runif(8 * 8 * 6 * 64), 8 * 8 * 6)
conv_rows <- list()
for (k in 1:2) {
  layer <- lenet$layers[[c(1, 3)[k]]]
  xin <- if (k == 1) first else second
  for (threads in 1:2) {
    secs <- sapply(c("im2col", "direct"), function(m) {
      median(replicate(5, statlearn:::nn_conv_forward_seconds(layer, xin, m, 50L, threads))) / 50
    })
    conv_rows[[length(conv_rows) + 1]] <- data.frame(layer = layer$name, threads = threads,
      im2col_ms = 1000 * secs[["im2col"]], direct_ms = 1000 * secs[["direct"]],
      direct_over_im2col = secs[["direct"]] / secs[["im2col"]])
  }
}
print(do.call(rbind, conv_rows), digits = 3, row.names = FALSE)

cat("\n== summary\n")
mlp_res <- do.call(rbind, mlp_rows)
mlp_res$ratio_vs_nnet_bfgs_iteration <- nn_iter$real_median / mlp_res$epoch_s
mlp_res$ratio_vs_nnet_gradient <- nn_grad$real_median / mlp_res$epoch_s
mlp_res$ratio_vs_nnet_gradient_cpu <- nn_grad$cpu_median / mlp_res$epoch_cpu_s
print(mlp_res, digits = 3, row.names = FALSE)
print(do.call(rbind, cnn_rows), digits = 3, row.names = FALSE)
cat(sprintf("load average at end: %s\n", loadavg()))
