# Recurrent networks (issue 16): training time per epoch of statlearn's
# layer_lstm() / layer_gru() against PyTorch's nn.LSTM / nn.GRU on the same
# machine, same data, same starting weights, same batches in the same order.
#  1. LSTM, 128 units, 256 input features, sequence length 16 and 100,
#     batch 64, a dense softmax output of 10 classes, cross-entropy, Adam
#     (lr 1e-3, eps 1e-7 on both sides). Target: statlearn <= 0.7 x PyTorch.
#  2. GRU, the same sizes (ratio reported).
#  3. The zip digits read row by row: 16 steps of 16 pixels, LSTM 128 ->
#     dense 10 softmax, batch 64, all 7291 training digits (ratio reported).
# Both sides float32 and 2 threads (statlearn threads = 2; torch
# set_num_threads(2) and OPENBLAS_NUM_THREADS = 2). The loss of every epoch is
# printed for both: from the same weights and batches the curves must agree
# (to float32 rounding, growing slowly with the number of steps).
#
# PyTorch is Debian's python3-torch (apt-get install -y python3-torch), used by
# this benchmark only. Debian builds it against the generic libblas.so.3, which
# is R's reference BLAS here; for a fair comparison it gets OpenBLAS through
# LD_LIBRARY_PATH for the python process only. R's BLAS is not touched (and
# statlearn uses its own SGEMM anyway). OpenBLAS without installing it (which
# would switch the system's BLAS alternatives):
#   cd /tmp && apt-get download libopenblas0-pthread &&
#     dpkg -x libopenblas0-pthread_*.deb /tmp/openblas
#   export STATLEARN_BENCH_OPENBLAS=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread
# (if libopenblas0-pthread is installed, its directory
# /usr/lib/x86_64-linux-gnu/openblas-pthread is used by default).
#
# Run from the package root with the package installed (takes 3-5 minutes):
#   R_LIBS=/tmp/lib-bench Rscript bench/rnn-lstm.R
library(statlearn)
library(bench)

threads <- 2L
python <- Sys.getenv("STATLEARN_BENCH_PYTHON", "/usr/bin/python3")
openblas <- Sys.getenv("STATLEARN_BENCH_OPENBLAS", "/usr/lib/x86_64-linux-gnu/openblas-pthread")
if (!file.exists(file.path(openblas, "libblas.so.3"))) {
  stop("no OpenBLAS libblas.so.3 in ", openblas, ": set STATLEARN_BENCH_OPENBLAS (see the header)")
}
py_script <- normalizePath("bench/rnn-lstm.py")
py_env <- c(paste0("LD_LIBRARY_PATH=", openblas), paste0("OPENBLAS_NUM_THREADS=", threads),
            paste0("OMP_NUM_THREADS=", threads),
            # torch's OpenMP workers would otherwise spin while OpenBLAS's
            # threads run the GEMMs: on two cores they take each other's core
            "OMP_WAIT_POLICY=PASSIVE")
run_python <- function(args) {
  out <- system2(python, c(shQuote(py_script), args), stdout = TRUE, stderr = TRUE, env = py_env)
  if (!is.null(attr(out, "status"))) stop("python failed:\n", paste(out, collapse = "\n"))
  out
}
loadavg <- function() paste(scan("/proc/loadavg", what = "", n = 3, quiet = TRUE), collapse = " ")

cpu <- grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)
cat(sprintf("machine: %s (%d logical cores), %s\n", sub(".*: ", "", cpu[1]), length(cpu),
            R.version.string))
cat(sprintf("R BLAS: %s (statlearn uses its own SGEMM)\n", extSoftVersion()[["BLAS"]]))
cat(sprintf("statlearn %s, %d threads; load average at start: %s\n", packageVersion("statlearn"),
            threads, loadavg()))
cat(run_python("--info"), sep = "\n")
cat(sprintf("torch BLAS: OpenBLAS from %s\n", openblas))

# One task: the statlearn fit and the torch run on the same data, weights and
# batches. x: n x steps x features array; y: factor of classes.
run_task <- function(label, cell, x, y, units = 128L, batch = 64L, epochs = 4L, lr = 1e-3) {
  n <- dim(x)[1L]
  steps <- dim(x)[2L]
  features <- dim(x)[3L]
  classes <- nlevels(y)
  layer <- switch(cell, lstm = layer_lstm, gru = layer_gru)
  net <- network(c(steps, features)) |> layer(units) |> layer_dense(classes)
  # train_network(seed = 1) starts from these weights (with_seed(seed, init_weights(net)))
  w0 <- statlearn:::with_seed(1L, statlearn:::init_weights(net))

  dir <- tempfile("rnn-bench-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  # features fastest, then time, then example: numpy's n x steps x features
  writeBin(as.vector(aperm(x, c(3L, 2L, 1L))), file.path(dir, "x.f32"), size = 4L)
  writeBin(as.integer(y) - 1L, file.path(dir, "y.i32"), size = 4L)
  man <- character()
  for (ln in names(w0)) for (tn in names(w0[[ln]])) {
    f <- sprintf("%s.%s.f64", ln, tn)
    writeBin(as.double(w0[[ln]][[tn]]), file.path(dir, f))
    man <- c(man, paste(paste0(ln, ".", tn), f, paste(dim(as.array(w0[[ln]][[tn]])), collapse = " ")))
  }
  writeLines(man, file.path(dir, "weights.txt"))
  writeLines(sprintf("%s %s", c("cell", "steps", "features", "units", "classes", "n", "batch",
                                "epochs", "lr", "eps", "threads"),
                     c(cell, steps, features, units, classes, n, batch, epochs, lr, 1e-7, threads)),
             file.path(dir, "config.txt"))

  fit <- NULL
  wall <- bench::bench_time(
    fit <- train_network(net, x, y, optimizer = optimizer_adam(lr = lr, eps = 1e-7), epochs = epochs,
                         batch_size = batch, shuffle = FALSE, seed = 1L, threads = threads,
                         verbose = FALSE))[["real"]]
  py <- read.csv(text = run_python(shQuote(dir)))
  h <- fit$history
  curve <- data.frame(epoch = h$epoch, statlearn_loss = h$loss, torch_loss = py$loss,
                      rel_diff = abs(h$loss - py$loss) / py$loss,
                      statlearn_acc = h$accuracy, torch_acc = py$accuracy,
                      statlearn_s = h$seconds, torch_s = py$seconds)
  cat(sprintf("\n== %s: n = %d sequences of %d steps x %d features, %s %d, dense %d, batch %d, %d epochs\n",
              label, n, steps, features, toupper(cell), units, classes, batch, epochs))
  print(curve, digits = 4, row.names = FALSE)
  # epoch 1 includes both sides' warm-up (allocation, first touches): medians of the others
  keep <- if (epochs > 2L) -1L else seq_len(epochs)
  s_sl <- median(h$seconds[keep])
  s_pt <- median(py$seconds[keep])
  cat(sprintf("median seconds per epoch: statlearn %.3f, torch %.3f, ratio %.2f\n", s_sl, s_pt,
              s_sl / s_pt))
  cat(sprintf("whole train_network() call (bench::bench_time, wall): %.3f s = %.3f s per epoch (history: %.3f)\n",
              as.numeric(wall), as.numeric(wall) / epochs, sum(h$seconds) / epochs))
  data.frame(task = label, n = n, statlearn_s = s_sl, torch_s = s_pt, ratio = s_sl / s_pt,
             max_rel_loss_diff = max(curve$rel_diff))
}

# Synthetic sequence classification: 10 classes given by a fixed random
# linear map of the mean of the last four steps (so there is something to
# learn and the loss falls).
make_task <- function(n, steps, features = 256L, classes = 10L, seed = 1) {
  set.seed(seed)
  x <- array(rnorm(n * steps * features), c(n, steps, features))
  last <- apply(x[, (steps - 3L):steps, , drop = FALSE], c(1L, 3L), mean)
  w <- matrix(rnorm(features * classes), features)
  y <- factor(max.col(last %*% w, ties.method = "first"), levels = seq_len(classes))
  list(x = x, y = y)
}

rows <- list()
# 2048 sequences of 16 steps (32 batches); 1024 of 100 steps (16 batches,
# 100 MB of float32 data) to keep the memory modest on a shared machine.
d16 <- make_task(2048L, 16L)
rows[[1]] <- run_task("LSTM T = 16", "lstm", d16$x, d16$y, epochs = 5L)
rows[[2]] <- run_task("GRU T = 16", "gru", d16$x, d16$y, epochs = 5L)
rm(d16)
d100 <- make_task(1024L, 100L)
rows[[3]] <- run_task("LSTM T = 100", "lstm", d100$x, d100$y, epochs = 4L)
rows[[4]] <- run_task("GRU T = 100", "gru", d100$x, d100$y, epochs = 4L)
rm(d100)
invisible(gc())

# The zip digits row by row: pixel (row r, column c) is zip_train[, 1 + 16 (r - 1) + c],
# so row r is time step r with the 16 columns as features.
xz <- as.matrix(zip_train[, -1])
xz <- aperm(array(xz, c(nrow(xz), 16L, 16L)), c(1L, 3L, 2L))
rows[[5]] <- run_task("zip rows, LSTM", "lstm", xz, zip_train$digit, epochs = 4L)
rows[[6]] <- run_task("zip rows, GRU", "gru", xz, zip_train$digit, epochs = 4L)

cat("\n== summary (median seconds per epoch, epochs 2.., wall clock)\n")
res <- do.call(rbind, rows)
print(res, digits = 3, row.names = FALSE)
cat(sprintf("load average at the end: %s\n", loadavg()))
