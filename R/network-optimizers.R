# Optimizers, learning-rate schedules and training callbacks for neural
# networks. All three are plain classed lists: the C++ training engine reads the
# optimizer's fields, the R training loop evaluates schedules and callbacks at
# epoch boundaries. optimizer_reference_step() is the R statement of the update
# equations that the engine must reproduce.

# Optimizers --------------------------------------------------------------------

new_optimizer <- function(type, ...) {
  structure(list(type = type, ...), class = c(paste0("statlearn_optimizer_", type), "statlearn_optimizer"))
}

#' Stochastic gradient descent optimizer
#'
#' Configuration of plain, momentum or Nesterov stochastic gradient descent for
#' training a neural network. Each optimizer step, for every parameter array `w`
#' with mini-batch gradient `g` and velocity `v` (initially 0), computes
#' elementwise
#' ```
#' g    <- g + weight_decay * w
#' v    <- momentum * v + g
#' step <- if (nesterov) g + momentum * v else v
#' w    <- w - lr * step
#' ```
#' where `lr` is the learning rate of this step (`lr`, or the value of a
#' learning-rate schedule, see [callback_schedule()]). With `momentum = 0` this
#' is plain gradient descent. Weight decay here is an L2 penalty added to the
#' gradient (contrast [optimizer_adamw()]).
#'
#' @param lr Learning rate, a positive number.
#' @param momentum Momentum coefficient in \[0, 1).
#' @param nesterov Use Nesterov momentum? Requires `momentum > 0`.
#' @param weight_decay Coefficient (>= 0) of the L2 penalty added to the gradient.
#' @param clip_norm,clip_value Gradient clipping (DL 8.2.4 and 10.11.1),
#'   applied to the mini-batch gradient before the update: `clip_value` clamps
#'   every component to \[-clip_value, clip_value\]; then, when the norm of
#'   the whole gradient (all parameter arrays together) exceeds `clip_norm`,
#'   the gradient is scaled down to norm `clip_norm`, keeping its direction.
#'   `NULL` (the default) does not clip. Clipping keeps a step from being
#'   thrown far by the steep cliffs of a loss surface, as recurrent networks
#'   have.
#' @return A list of class `c("statlearn_optimizer_sgd", "statlearn_optimizer")`
#'   with fields `type = "sgd"`, `lr`, `momentum`, `nesterov`, `weight_decay`.
#' @references Goodfellow, Bengio and Courville (2016), *Deep Learning*,
#'   sections 8.3.1-8.3.3 (algorithms 8.1-8.3).
#' @family neural networks
#' @export
#' @examples
#' opt <- optimizer_sgd(lr = 0.1, momentum = 0.9, nesterov = TRUE)
#' opt
#' opt$momentum
optimizer_sgd <- function(lr = 0.01, momentum = 0, nesterov = FALSE, weight_decay = 0,
                          clip_norm = NULL, clip_value = NULL) {
  lr <- check_positive(lr, "lr")
  momentum <- check_unit_open(momentum, "momentum")
  nesterov <- check_flag(nesterov, "nesterov")
  weight_decay <- check_nonnegative(weight_decay, "weight_decay")
  if (nesterov && momentum == 0) {
    abort_input("momentum", "positive when `nesterov = TRUE`", "0", class = "statlearn_error_range")
  }
  add_clipping(new_optimizer("sgd", lr = lr, momentum = momentum, nesterov = nesterov,
                             weight_decay = weight_decay), clip_norm, clip_value)
}

#' AdaGrad optimizer
#'
#' Configuration of AdaGrad, which scales each parameter's step by the root of
#' its accumulated squared gradients. Each step, elementwise, with accumulator
#' `s` (initially `initial_accumulator`):
#' ```
#' s <- s + g^2
#' w <- w - lr * g / (sqrt(s) + eps)
#' ```
#'
#' @inheritParams optimizer_sgd
#' @param initial_accumulator Starting value (>= 0) of the accumulator `s`.
#' @param eps Positive constant added to the denominator.
#' @return A list of class `c("statlearn_optimizer_adagrad", "statlearn_optimizer")`
#'   with fields `type = "adagrad"`, `lr`, `initial_accumulator`, `eps`.
#' @references Goodfellow, Bengio and Courville (2016), *Deep Learning*,
#'   section 8.5.1 (algorithm 8.4). Duchi, Hazan and Singer (2011), Adaptive
#'   subgradient methods for online learning and stochastic optimization,
#'   *JMLR* 12.
#' @family neural networks
#' @export
#' @examples
#' optimizer_adagrad(lr = 0.05)
optimizer_adagrad <- function(lr = 0.01, initial_accumulator = 0, eps = 1e-7, clip_norm = NULL,
                              clip_value = NULL) {
  lr <- check_positive(lr, "lr")
  initial_accumulator <- check_nonnegative(initial_accumulator, "initial_accumulator")
  eps <- check_positive(eps, "eps")
  add_clipping(new_optimizer("adagrad", lr = lr, initial_accumulator = initial_accumulator, eps = eps),
               clip_norm, clip_value)
}

#' RMSProp optimizer
#'
#' Configuration of RMSProp, which divides the gradient by a running root mean
#' square of recent gradients. Each step, elementwise, with `s` and `v`
#' initially 0:
#' ```
#' s <- rho * s + (1 - rho) * g^2
#' # momentum > 0:
#' v <- momentum * v + g / (sqrt(s) + eps)
#' w <- w - lr * v
#' # momentum == 0:
#' w <- w - lr * g / (sqrt(s) + eps)
#' ```
#'
#' @inheritParams optimizer_adagrad
#' @param rho Decay rate in \[0, 1) of the running mean of squared gradients.
#' @param momentum Momentum coefficient in \[0, 1).
#' @return A list of class `c("statlearn_optimizer_rmsprop", "statlearn_optimizer")`
#'   with fields `type = "rmsprop"`, `lr`, `rho`, `momentum`, `eps`.
#' @references Goodfellow, Bengio and Courville (2016), *Deep Learning*,
#'   section 8.5.2 (algorithms 8.5 and 8.6).
#' @family neural networks
#' @export
#' @examples
#' optimizer_rmsprop(lr = 0.001, rho = 0.9, momentum = 0.5)
optimizer_rmsprop <- function(lr = 0.001, rho = 0.9, momentum = 0, eps = 1e-7, clip_norm = NULL,
                              clip_value = NULL) {
  lr <- check_positive(lr, "lr")
  rho <- check_unit_open(rho, "rho")
  momentum <- check_unit_open(momentum, "momentum")
  eps <- check_positive(eps, "eps")
  add_clipping(new_optimizer("rmsprop", lr = lr, rho = rho, momentum = momentum, eps = eps),
               clip_norm, clip_value)
}

#' Adam and AdamW optimizers
#'
#' Configuration of Adam, with optional decoupled weight decay (AdamW). Each
#' step, elementwise, with step count `t` and moments `m`, `v` initially 0:
#' ```
#' t  <- t + 1
#' m  <- beta1 * m + (1 - beta1) * g
#' v  <- beta2 * v + (1 - beta2) * g^2
#' mh <- m / (1 - beta1^t)
#' vh <- v / (1 - beta2^t)
#' w  <- w - lr * weight_decay * w - lr * mh / (sqrt(vh) + eps)
#' ```
#' Both terms of the last line use the weights before the step. The weight
#' decay is decoupled from the gradient (it does not pass through `m` and
#' `v`), as in AdamW; `optimizer_adamw()` is `optimizer_adam()` with
#' `weight_decay = 0.01` by default and returns the same kind of object
#' (`type = "adam"`).
#'
#' @inheritParams optimizer_adagrad
#' @param beta1,beta2 Decay rates in \[0, 1) of the first and second moment
#'   estimates.
#' @param weight_decay Decoupled weight decay coefficient (>= 0).
#' @return A list of class `c("statlearn_optimizer_adam", "statlearn_optimizer")`
#'   with fields `type = "adam"`, `lr`, `beta1`, `beta2`, `eps`, `weight_decay`.
#' @references Goodfellow, Bengio and Courville (2016), *Deep Learning*,
#'   section 8.5.3 (algorithm 8.7). Kingma and Ba (2015), Adam: a method for
#'   stochastic optimization, *ICLR*. Loshchilov and Hutter (2019), Decoupled
#'   weight decay regularization, *ICLR*.
#' @family neural networks
#' @export
#' @examples
#' optimizer_adam()
#' optimizer_adamw(lr = 0.002)
optimizer_adam <- function(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-7, weight_decay = 0,
                           clip_norm = NULL, clip_value = NULL) {
  lr <- check_positive(lr, "lr")
  beta1 <- check_unit_open(beta1, "beta1")
  beta2 <- check_unit_open(beta2, "beta2")
  eps <- check_positive(eps, "eps")
  weight_decay <- check_nonnegative(weight_decay, "weight_decay")
  add_clipping(new_optimizer("adam", lr = lr, beta1 = beta1, beta2 = beta2, eps = eps,
                             weight_decay = weight_decay), clip_norm, clip_value)
}

#' @rdname optimizer_adam
#' @export
optimizer_adamw <- function(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-7, weight_decay = 0.01,
                            clip_norm = NULL, clip_value = NULL) {
  optimizer_adam(lr = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = weight_decay,
                 clip_norm = clip_norm, clip_value = clip_value)
}

# The clipping settings of an optimizer, validated; absent when NULL.
add_clipping <- function(opt, clip_norm, clip_value) {
  if (!is.null(clip_norm)) opt$clip_norm <- check_positive(clip_norm, "clip_norm")
  if (!is.null(clip_value)) opt$clip_value <- check_positive(clip_value, "clip_value")
  opt
}

# The gradient after clipping (one array holds the whole gradient here).
clip_gradient <- function(opt, g) {
  if (!is.null(opt$clip_value)) g <- pmin(pmax(g, -opt$clip_value), opt$clip_value)
  if (!is.null(opt$clip_norm)) {
    norm <- sqrt(sum(g^2))
    if (norm > opt$clip_norm) g <- g * (opt$clip_norm / norm)
  }
  g
}

#' @export
print.statlearn_optimizer <- function(x, ...) {
  fields <- x[setdiff(names(x), "type")]
  vals <- vapply(fields, function(v) format(v), character(1))
  # Adam with decoupled weight decay is AdamW (optimizer_adamw() builds it).
  name <- if (identical(x$type, "adam") && isTRUE(x$weight_decay > 0)) "adamw" else x$type
  cat(sprintf("<statlearn optimizer: %s>\n", name))
  cat(paste0("  ", names(fields), " = ", vals, collapse = "\n"), "\n", sep = "")
  invisible(x)
}

# Fresh optimizer state for a parameter array w: step count t and the moment
# vectors m, v, s (plain numeric vectors of length(w); s starts at the
# AdaGrad accumulator). Every field is present for every optimizer type.
optimizer_state <- function(opt, w) {
  n <- length(w)
  s0 <- if (identical(opt$type, "adagrad")) opt$initial_accumulator else 0
  list(t = 0L, m = numeric(n), v = numeric(n), s = rep(s0, n))
}

# One optimizer step in R, the reference the C++ engine is tested against.
# w: a numeric parameter array (its dim is kept); g: its gradient, same length;
# state: from optimizer_state(); lr: this step's learning rate (a schedule's
# value, by default the optimizer's own). Returns list(w, state).
optimizer_reference_step <- function(opt, w, g, state = optimizer_state(opt, w), lr = opt$lr) {
  if (!inherits(opt, "statlearn_optimizer")) {
    abort_input("opt", "a statlearn optimizer, such as optimizer_adam()", describe(opt),
                class = "statlearn_error_type")
  }
  if (length(g) != length(w)) {
    abort_input("g", sprintf("of length %d (as w)", length(w)), sprintf("length %d", length(g)),
                class = "statlearn_error_length")
  }
  g <- clip_gradient(opt, as.vector(g))
  wv <- as.vector(w)
  switch(opt$type,
    sgd = {
      g <- g + opt$weight_decay * wv
      state$v <- opt$momentum * state$v + g
      step <- if (opt$nesterov) g + opt$momentum * state$v else state$v
      wv <- wv - lr * step
    },
    adagrad = {
      state$s <- state$s + g^2
      wv <- wv - lr * g / (sqrt(state$s) + opt$eps)
    },
    rmsprop = {
      state$s <- opt$rho * state$s + (1 - opt$rho) * g^2
      if (opt$momentum > 0) {
        state$v <- opt$momentum * state$v + g / (sqrt(state$s) + opt$eps)
        wv <- wv - lr * state$v
      } else {
        wv <- wv - lr * g / (sqrt(state$s) + opt$eps)
      }
    },
    adam = {
      state$t <- state$t + 1L
      state$m <- opt$beta1 * state$m + (1 - opt$beta1) * g
      state$v <- opt$beta2 * state$v + (1 - opt$beta2) * g^2
      mh <- state$m / (1 - opt$beta1^state$t)
      vh <- state$v / (1 - opt$beta2^state$t)
      wv <- wv - lr * opt$weight_decay * wv - lr * mh / (sqrt(vh) + opt$eps)
    },
    abort_input("opt", 'an optimizer of type "sgd", "adagrad", "rmsprop" or "adam"',
                sprintf('type "%s"', opt$type), class = "statlearn_error_range")
  )
  if (!opt$type %in% "adam") state$t <- state$t + 1L
  w[] <- wv
  list(w = w, state = state)
}

# Learning-rate schedules -----------------------------------------------------------

new_schedule <- function(type, ...) {
  structure(list(type = type, ...), class = c(paste0("statlearn_schedule_", type), "statlearn_schedule"))
}

#' Learning-rate schedules
#'
#' Rules that change the optimizer's learning rate during training; pass one
#' to [callback_schedule()]. With base rate `lr` (the optimizer's), epochs
#' numbered from 1, optimizer steps numbered from 0 over the whole run
#' (`k = (epoch - 1) * steps_per_epoch + j`, `j = 0, ..., steps_per_epoch - 1`)
#' and `K` steps in all:
#'
#' * `schedule_step()`: `lr * gamma^floor((epoch - 1) / step_size)`, constant
#'   within an epoch (the rate drops by the factor `gamma` every `step_size`
#'   epochs).
#' * `schedule_exponential()`: `lr * gamma^(epoch - 1)`, constant within an
#'   epoch.
#' * `schedule_linear()`: the Deep Learning book's rule (eq. 8.14), per step:
#'   `(1 - u) * lr + u * final_lr` with `u = min(k / K, 1)`, falling linearly
#'   from `lr` to `final_lr` over the `K` steps of `epochs` epochs (of the
#'   whole run when `epochs = NULL`) and constant after.
#' * `schedule_cosine()`: per step, `min_lr + (lr - min_lr) * (1 + cos(pi * k / K)) / 2`,
#'   where `K` counts the steps of `epochs` epochs (of the whole run when
#'   `epochs = NULL`); the rate starts at `lr` and ends near `min_lr`, and
#'   stays at `min_lr` after `K` steps.
#' * `schedule_one_cycle()`: Smith's one-cycle policy with cosine annealing,
#'   per step; it ignores the optimizer's `lr`. With `a = max_lr / div_factor`,
#'   `b = a / final_div_factor`, peak step `p = pct_start * (K - 1)` and
#'   `cos_from_to(x, y, u) = y + (x - y) * (1 + cos(pi * u)) / 2`, the rate is
#'   `cos_from_to(a, max_lr, k / p)` for `k <= p` (rising from `a` to
#'   `max_lr`) and `cos_from_to(max_lr, b, (k - p) / (K - 1 - p))` after
#'   (falling to `b`, reached at the last step).
#'
#' @param step_size Number of epochs between drops (a whole number >= 1).
#' @param gamma Multiplicative factor in (0, 1].
#' @param min_lr Final learning rate (>= 0; at most the optimizer's `lr`).
#' @param final_lr Learning rate reached at the end of the linear decay (>= 0).
#' @param epochs Length of the cosine or linear decay in epochs, or `NULL`
#'   for the number of epochs of the training run.
#' @param max_lr Peak learning rate of the cycle.
#' @param pct_start Fraction in (0, 1) of all steps spent rising.
#' @param div_factor The starting rate is `max_lr / div_factor` (>= 1).
#' @param final_div_factor The final rate is `max_lr / (div_factor *
#'   final_div_factor)` (>= 1).
#' @return A list of class `c("statlearn_schedule_<type>", "statlearn_schedule")`
#'   with field `type` (`"step"`, `"exponential"`, `"linear"`, `"cosine"` or
#'   `"one_cycle"`) and the arguments as fields.
#' @references Goodfellow, Bengio and Courville (2016), *Deep Learning*,
#'   section 8.3.1. Loshchilov and Hutter (2017), SGDR: stochastic gradient
#'   descent with warm restarts, *ICLR*. Smith and Topin (2019),
#'   Super-convergence: very fast training of neural networks using large
#'   learning rates, *Proc. SPIE* 11006.
#' @family neural networks
#' @export
#' @examples
#' schedule_step(step_size = 10, gamma = 0.5)
#' schedule_cosine(min_lr = 1e-5)
#' schedule_linear(final_lr = 1e-4, epochs = 20)
#' schedule_one_cycle(max_lr = 0.01)
schedule_step <- function(step_size, gamma = 0.1) {
  step_size <- check_count(step_size, "step_size")
  gamma <- check_number(gamma, "gamma", lower = 0, upper = 1, lower_open = TRUE)
  new_schedule("step", step_size = step_size, gamma = gamma)
}

#' @rdname schedule_step
#' @export
schedule_exponential <- function(gamma) {
  gamma <- check_number(gamma, "gamma", lower = 0, upper = 1, lower_open = TRUE)
  new_schedule("exponential", gamma = gamma)
}

#' @rdname schedule_step
#' @export
schedule_linear <- function(final_lr = 0, epochs = NULL) {
  final_lr <- check_nonnegative(final_lr, "final_lr")
  if (!is.null(epochs)) epochs <- check_count(epochs, "epochs")
  new_schedule("linear", final_lr = final_lr, epochs = epochs)
}

#' @rdname schedule_step
#' @export
schedule_cosine <- function(min_lr = 0, epochs = NULL) {
  min_lr <- check_nonnegative(min_lr, "min_lr")
  if (!is.null(epochs)) epochs <- check_count(epochs, "epochs")
  new_schedule("cosine", min_lr = min_lr, epochs = epochs)
}

#' @rdname schedule_step
#' @export
schedule_one_cycle <- function(max_lr, pct_start = 0.3, div_factor = 25, final_div_factor = 1e4) {
  max_lr <- check_positive(max_lr, "max_lr")
  pct_start <- check_number(pct_start, "pct_start", lower = 0, upper = 1, lower_open = TRUE, upper_open = TRUE)
  div_factor <- check_number(div_factor, "div_factor", lower = 1, upper = 1e300)
  final_div_factor <- check_number(final_div_factor, "final_div_factor", lower = 1, upper = 1e300)
  new_schedule("one_cycle", max_lr = max_lr, pct_start = pct_start, div_factor = div_factor,
               final_div_factor = final_div_factor)
}

#' @export
print.statlearn_schedule <- function(x, ...) {
  fields <- x[setdiff(names(x), "type")]
  vals <- vapply(fields, function(v) if (is.null(v)) "NULL (the training run's)" else format(v),
                 character(1))
  cat(sprintf("<statlearn learning-rate schedule: %s>\n", x$type))
  cat(paste0("  ", names(fields), " = ", vals, collapse = "\n"), "\n", sep = "")
  invisible(x)
}

# Cosine interpolation from `from` (u = 0) to `to` (u = 1).
cosine_anneal <- function(from, to, u) to + (from - to) * (1 + cos(pi * u)) / 2

# The learning rate of every optimizer step of epoch `epoch` (1-based) of a run
# of `epochs` epochs with `steps_per_epoch` steps each and base rate `lr`.
# Returns numeric(steps_per_epoch). A NULL schedule keeps lr.
schedule_rates <- function(schedule, lr, epoch, steps_per_epoch, epochs) {
  lr <- check_positive(lr, "lr")
  epoch <- check_count(epoch, "epoch")
  steps_per_epoch <- check_count(steps_per_epoch, "steps_per_epoch")
  epochs <- check_count(epochs, "epochs")
  if (is.null(schedule)) return(rep(lr, steps_per_epoch))
  if (!inherits(schedule, "statlearn_schedule")) {
    abort_input("schedule", "a statlearn schedule, such as schedule_cosine()", describe(schedule),
                class = "statlearn_error_type")
  }
  k <- (epoch - 1) * steps_per_epoch + seq_len(steps_per_epoch) - 1  # 0-based steps of the run
  switch(schedule$type,
    step = rep(lr * schedule$gamma^((epoch - 1L) %/% schedule$step_size), steps_per_epoch),
    exponential = rep(lr * schedule$gamma^(epoch - 1L), steps_per_epoch),
    linear = {
      total <- (if (is.null(schedule$epochs)) epochs else schedule$epochs) * steps_per_epoch
      u <- pmin(k / total, 1)
      (1 - u) * lr + u * schedule$final_lr
    },
    cosine = {
      if (schedule$min_lr > lr) {
        abort_input("min_lr", sprintf("at most the optimizer's learning rate %g", lr),
                    format(schedule$min_lr), class = "statlearn_error_range")
      }
      total <- (if (is.null(schedule$epochs)) epochs else schedule$epochs) * steps_per_epoch
      cosine_anneal(lr, schedule$min_lr, pmin(k / total, 1))
    },
    one_cycle = {
      total <- epochs * steps_per_epoch
      hi <- schedule$max_lr
      start <- hi / schedule$div_factor
      end <- start / schedule$final_div_factor
      peak <- schedule$pct_start * (total - 1)
      k <- pmin(k, total - 1)
      up <- k <= peak
      out <- numeric(length(k))
      out[up] <- if (peak > 0) cosine_anneal(start, hi, k[up] / peak) else hi
      out[!up] <- cosine_anneal(hi, end, (k[!up] - peak) / (total - 1 - peak))
      out
    },
    abort_input("schedule", 'a schedule of type "step", "exponential", "linear", "cosine" or "one_cycle"',
                sprintf('type "%s"', schedule$type), class = "statlearn_error_range")
  )
}

# Callbacks ---------------------------------------------------------------------------

new_callback <- function(type, ...) {
  structure(list(type = type, ...), class = c(paste0("statlearn_callback_", type), "statlearn_callback"))
}

#' Stop training when a monitored metric stops improving
#'
#' After every epoch, the monitored metric is compared with the best value so
#' far: an epoch improves on it when its value is below `best - min_delta`
#' (mode `"min"`) or above `best + min_delta` (mode `"max"`). Training stops
#' after `patience` consecutive epochs without improvement, and with
#' `restore_best_weights = TRUE` the network keeps the weights of the best
#' epoch. This is early stopping as regularisation: the number of epochs
#' becomes a hyperparameter chosen on validation data.
#'
#' @param monitor Name of the metric to watch, as it appears in the training
#'   history, such as `"val_loss"`, `"loss"` or `"val_accuracy"`.
#' @param patience Number of epochs without improvement after which training
#'   stops (a whole number >= 0).
#' @param min_delta Smallest change (>= 0) that counts as an improvement.
#' @param mode `"min"` (smaller is better), `"max"`, or `"auto"`: `"max"` when
#'   `monitor` contains `"acc"`, otherwise `"min"`. The object stores the
#'   resolved mode.
#' @param restore_best_weights Keep the weights of the best epoch rather than
#'   those of the last one?
#' @return A list of class `c("statlearn_callback_early_stopping",
#'   "statlearn_callback")` with fields `type = "early_stopping"`, `monitor`,
#'   `patience`, `min_delta`, `mode` (`"min"` or `"max"`) and
#'   `restore_best_weights`.
#' @references Goodfellow, Bengio and Courville (2016), *Deep Learning*,
#'   section 7.8 (algorithm 7.1).
#' @family neural networks
#' @export
#' @examples
#' callback_early_stopping(patience = 3)
#' callback_early_stopping(monitor = "val_accuracy")$mode
callback_early_stopping <- function(monitor = "val_loss", patience = 5, min_delta = 0,
                                    mode = c("auto", "min", "max"), restore_best_weights = TRUE) {
  monitor <- check_string(monitor, "monitor")
  patience <- check_count(patience, "patience", lower = 0)
  min_delta <- check_nonnegative(min_delta, "min_delta")
  mode <- check_choice(mode, c("auto", "min", "max"), "mode")
  if (mode == "auto") mode <- if (grepl("acc", monitor, fixed = TRUE)) "max" else "min"
  restore_best_weights <- check_flag(restore_best_weights, "restore_best_weights")
  new_callback("early_stopping", monitor = monitor, patience = patience, min_delta = min_delta,
               mode = mode, restore_best_weights = restore_best_weights)
}

#' Change the learning rate during training
#'
#' Applies a learning-rate schedule (see [schedule_step()]) to the optimizer:
#' before each epoch the training loop computes the rate of each of the
#' epoch's optimizer steps from the schedule and the optimizer's `lr`.
#'
#' @param schedule A schedule from [schedule_step()], [schedule_exponential()],
#'   [schedule_cosine()] or [schedule_one_cycle()].
#' @return A list of class `c("statlearn_callback_schedule", "statlearn_callback")`
#'   with fields `type = "schedule"` and `schedule`.
#' @references Goodfellow, Bengio and Courville (2016), *Deep Learning*,
#'   section 8.3.1.
#' @family neural networks
#' @export
#' @examples
#' callback_schedule(schedule_cosine())
callback_schedule <- function(schedule) {
  if (!inherits(schedule, "statlearn_schedule")) {
    abort_input("schedule", "a statlearn schedule, such as schedule_cosine()", describe(schedule),
                class = "statlearn_error_type")
  }
  new_callback("schedule", schedule = schedule)
}

#' Run a function after every epoch
#'
#' Calls `on_epoch_end(epoch, logs)` after each training epoch, where `epoch`
#' is the epoch number (from 1) and `logs` a named list of that epoch's metrics
#' (such as `loss`, `val_loss`). Use it to print, record or plot progress. If
#' the function returns `FALSE`, training stops after this epoch; any other
#' value is ignored.
#'
#' @param on_epoch_end A function of two arguments, `epoch` and `logs`.
#' @return A list of class `c("statlearn_callback_lambda", "statlearn_callback")`
#'   with fields `type = "lambda"` and `on_epoch_end`.
#' @family neural networks
#' @export
#' @examples
#' cb <- callback_lambda(function(epoch, logs) {
#'   cat("epoch", epoch, "loss", format(logs$loss), "\n")
#'   logs$loss > 0.01  # stop once the loss is small
#' })
#' cb
callback_lambda <- function(on_epoch_end) {
  if (!is.function(on_epoch_end)) {
    abort_input("on_epoch_end", "a function(epoch, logs)", describe(on_epoch_end),
                class = "statlearn_error_type")
  }
  if (!is.primitive(on_epoch_end)) {
    fm <- names(formals(on_epoch_end))
    if (!("..." %in% fm) && length(fm) < 2L) {
      abort_input("on_epoch_end", "a function of two arguments (epoch, logs)",
                  sprintf("a function of %d argument(s)", length(fm)), class = "statlearn_error_type")
    }
  }
  new_callback("lambda", on_epoch_end = on_epoch_end)
}

#' @export
print.statlearn_callback <- function(x, ...) {
  cat(sprintf("<statlearn callback: %s>\n", x$type))
  switch(x$type,
    early_stopping = cat(sprintf("  monitor %s (%s), patience %d, min_delta %g, restore best weights: %s\n",
                                 x$monitor, x$mode, x$patience, x$min_delta, x$restore_best_weights)),
    schedule = cat(sprintf("  learning-rate schedule: %s\n", x$schedule$type)),
    lambda = cat("  calls on_epoch_end(epoch, logs) after every epoch\n"),
    NULL
  )
  invisible(x)
}

# Training-loop protocol ------------------------------------------------------------

# callbacks: NULL, one callback, or a list of callbacks. Returns a (possibly
# empty) unnamed list of callbacks; at most one schedule callback.
callbacks_check <- function(callbacks) {
  if (is.null(callbacks)) return(list())
  if (inherits(callbacks, "statlearn_callback")) return(list(callbacks))
  if (!is.list(callbacks) || is.object(callbacks)) {
    abort_input("callbacks", "a callback (such as callback_early_stopping()) or a list of callbacks",
                describe(callbacks), class = "statlearn_error_type")
  }
  ok <- vapply(callbacks, inherits, logical(1), what = "statlearn_callback")
  if (!all(ok)) {
    k <- which(!ok)[1L]
    abort_input("callbacks", "a list of statlearn callbacks (callback_*())",
                sprintf("element %d is %s", k, describe(callbacks[[k]])), class = "statlearn_error_type")
  }
  types <- vapply(callbacks, function(cb) cb$type, character(1))
  if (sum(types == "schedule") > 1L) {
    abort_input("callbacks", "at most one callback_schedule()",
                sprintf("%d schedule callbacks", sum(types == "schedule")), class = "statlearn_error_range")
  }
  unname(callbacks)
}

# Initial early-stopping state: nothing seen yet.
early_stopping_state <- function(cb) {
  list(best = if (cb$mode == "max") -Inf else Inf, best_epoch = 0L, wait = 0L)
}

# Update the early-stopping state with the metrics `logs` (a named list) of
# epoch `epoch`. Returns list(state, improved, stop). A non-finite value (a
# diverged loss) never counts as an improvement.
early_stopping_step <- function(cb, state, epoch, logs) {
  value <- logs[[cb$monitor]]
  if (is.null(value)) {
    avail <- names(logs)
    abort_input("monitor", sprintf("the name of a metric in the training logs (%s)",
                                   if (length(avail)) paste0('"', avail, '"', collapse = ", ") else "none"),
                sprintf('"%s"', cb$monitor), class = "statlearn_error_range")
  }
  if (!is.numeric(value) || length(value) != 1L) {
    abort_input("monitor", "the name of a single-number metric", sprintf('"%s", %s', cb$monitor,
                describe(value)), class = "statlearn_error_type")
  }
  improved <- if (cb$mode == "min") value < state$best - cb$min_delta else value > state$best + cb$min_delta
  improved <- isTRUE(improved) && is.finite(value)
  if (improved) {
    state$best <- as.double(value)
    state$best_epoch <- as.integer(epoch)
    state$wait <- 0L
  } else {
    state$wait <- state$wait + 1L
  }
  list(state = state, improved = improved, stop = !improved && state$wait >= cb$patience)
}

# Call a lambda callback after epoch `epoch`; TRUE when it asks to stop.
lambda_step <- function(cb, epoch, logs) {
  isFALSE(cb$on_epoch_end(epoch, logs))
}
