# Optimizers, schedules and callbacks. The optimizer steps are checked by hand
# on f(w) = 0.5 * sum(a * w^2), gradient a * w, with a = c(1, 4), w0 = c(1, -1).

quad_a <- c(1, 4)
quad_grad <- function(w) quad_a * w

# Two reference steps on the quadratic; returns the iterates and final state.
two_steps <- function(opt, w0 = c(1, -1)) {
  st <- optimizer_state(opt, w0)
  r1 <- optimizer_reference_step(opt, w0, quad_grad(w0), st)
  r2 <- optimizer_reference_step(opt, r1$w, quad_grad(r1$w), r1$state)
  list(w1 = r1$w, w2 = r2$w, state = r2$state)
}

test_that("optimizer objects are plain classed lists with validated fields", {
  opt <- optimizer_sgd(lr = 0.1, momentum = 0.9, nesterov = TRUE)
  expect_s3_class(opt, c("statlearn_optimizer_sgd", "statlearn_optimizer"), exact = TRUE)
  expect_identical(unclass(opt), list(type = "sgd", lr = 0.1, momentum = 0.9, nesterov = TRUE,
                                      weight_decay = 0))
  expect_identical(names(optimizer_adagrad()), c("type", "lr", "initial_accumulator", "eps"))
  expect_identical(names(optimizer_rmsprop()), c("type", "lr", "rho", "momentum", "eps"))
  expect_identical(names(optimizer_adam()), c("type", "lr", "beta1", "beta2", "eps", "weight_decay"))
  expect_identical(optimizer_adam()$weight_decay, 0)
  aw <- optimizer_adamw()
  expect_s3_class(aw, "statlearn_optimizer_adam")
  expect_identical(aw$type, "adam")
  expect_identical(aw$weight_decay, 0.01)
  expect_identical(optimizer_rmsprop()$lr, 0.001)
  expect_output(print(optimizer_adam()), "statlearn optimizer: adam>")
  expect_output(print(aw), "statlearn optimizer: adamw>")
  expect_output(print(optimizer_adam(weight_decay = 0.1)), "statlearn optimizer: adamw>")
  expect_output(print(optimizer_adam()), "beta2 = 0.999")
  # plain data: survives saveRDS
  expect_identical(round_trip(opt), opt)
})

test_that("optimizer hyperparameters are validated", {
  cls <- "statlearn_error_input"
  expect_error(optimizer_sgd(lr = 0), class = cls)
  expect_error(optimizer_sgd(lr = -1), class = cls)
  expect_error(optimizer_sgd(lr = Inf), class = cls)
  expect_error(optimizer_sgd(lr = "a"), class = cls)
  expect_error(optimizer_sgd(momentum = 1), class = cls)
  expect_error(optimizer_sgd(momentum = -0.1), class = cls)
  expect_error(optimizer_sgd(nesterov = NA), class = cls)
  expect_error(optimizer_sgd(weight_decay = -1), class = cls)
  err <- expect_error(optimizer_sgd(nesterov = TRUE), class = cls)
  expect_identical(err$arg, "momentum")
  expect_error(optimizer_adagrad(eps = 0), class = cls)
  expect_error(optimizer_adagrad(initial_accumulator = -1), class = cls)
  expect_error(optimizer_rmsprop(rho = 1), class = cls)
  expect_error(optimizer_rmsprop(momentum = 1.5), class = cls)
  err <- expect_error(optimizer_adam(beta1 = 1), class = cls)
  expect_identical(err$arg, "beta1")
  expect_error(optimizer_adam(beta2 = -0.5), class = cls)
  expect_error(optimizer_adamw(weight_decay = -0.01), class = cls)
  expect_error(optimizer_reference_step(list(type = "sgd"), 1, 1), class = cls)
  expect_error(optimizer_reference_step(optimizer_sgd(), c(1, 2), 1), class = cls)
})

test_that("SGD steps match hand computations on the quadratic (tol 1e-12)", {
  # plain: w1 = w0 - 0.1 * (1, -4)
  r <- two_steps(optimizer_sgd(lr = 0.1))
  expect_equal(r$w1, c(0.9, -0.6), tolerance = 1e-12)
  expect_equal(r$w2, c(0.9 - 0.09, -0.6 + 0.24), tolerance = 1e-12)
  # momentum 0.9: v1 = (1, -4), w1 = (0.9, -0.6); g1 = (0.9, -2.4), v2 = (1.8, -6), w2 = (0.72, 0)
  r <- two_steps(optimizer_sgd(lr = 0.1, momentum = 0.9))
  expect_equal(r$w1, c(0.9, -0.6), tolerance = 1e-12)
  expect_equal(r$w2, c(0.72, 0), tolerance = 1e-12)
  expect_equal(r$state$v, c(1.8, -6), tolerance = 1e-12)
  expect_identical(r$state$t, 2L)
  # Nesterov: step1 = g + 0.9 v = (1.9, -7.6), w1 = (0.81, -0.24);
  # g1 = (0.81, -0.96), v2 = (1.71, -4.56), step2 = (2.349, -5.064), w2 = (0.5751, 0.2664)
  r <- two_steps(optimizer_sgd(lr = 0.1, momentum = 0.9, nesterov = TRUE))
  expect_equal(r$w1, c(0.81, -0.24), tolerance = 1e-12)
  expect_equal(r$w2, c(0.5751, 0.2664), tolerance = 1e-12)
  # L2 weight decay 0.5 enters the gradient: g = (1.5, -4.5), w1 = (0.85, -0.55)
  r <- two_steps(optimizer_sgd(lr = 0.1, weight_decay = 0.5))
  expect_equal(r$w1, c(0.85, -0.55), tolerance = 1e-12)
})

test_that("gradient clipping by norm and by value follows its definition", {
  # g0 = (1, -4), norm sqrt(17): clip_norm = 1 scales it to (1, -4) / sqrt(17).
  r <- two_steps(optimizer_sgd(lr = 0.1, clip_norm = 1))
  expect_equal(r$w1, c(1, -1) - 0.1 * c(1, -4) / sqrt(17), tolerance = 1e-12)
  # clip_value = 2 clamps -4 to -2; then clip_norm = 2 scales (1, -2) by 2 / sqrt(5).
  r <- two_steps(optimizer_sgd(lr = 0.1, clip_value = 2, clip_norm = 2))
  expect_equal(r$w1, c(1, -1) - 0.1 * c(1, -2) * 2 / sqrt(5), tolerance = 1e-12)
  # Within the bounds nothing changes.
  expect_equal(two_steps(optimizer_adam(lr = 0.1, clip_norm = 100, clip_value = 100))$w2,
               two_steps(optimizer_adam(lr = 0.1))$w2, tolerance = 0)
  for (f in list(optimizer_sgd, optimizer_adagrad, optimizer_rmsprop, optimizer_adam, optimizer_adamw)) {
    expect_statlearn_error(f(clip_norm = 0), "statlearn_error_range", "clip_norm")
    expect_statlearn_error(f(clip_value = -1), "statlearn_error_range", "clip_value")
    expect_statlearn_error(f(clip_norm = "1"), "statlearn_error_type", "clip_norm")
    expect_identical(f(clip_norm = 2)$clip_norm, 2)
  }
})

test_that("AdaGrad and RMSProp steps match hand computations (tol 1e-10)", {
  # AdaGrad: s1 = (1, 16), w1 = w0 - 0.1 * sign(g0) = (0.9, -0.9);
  # g1 = (0.9, -3.6), s2 = (1.81, 28.96), w2 = 0.9 - 0.09 / sqrt(1.81) (both by symmetry)
  r <- two_steps(optimizer_adagrad(lr = 0.1, eps = 1e-12))
  expect_equal(r$w1, c(0.9, -0.9), tolerance = 1e-10)
  expect_equal(r$state$s, c(1.81, 28.96), tolerance = 1e-12)
  expect_equal(r$w2, c(1, -1) * (0.9 - 0.09 / sqrt(1.81)), tolerance = 1e-10)
  # initial accumulator 3: s1 = (4, 19)
  r <- two_steps(optimizer_adagrad(lr = 0.1, initial_accumulator = 3, eps = 1e-12))
  expect_equal(r$w1, c(1 - 0.1 / 2, -1 + 0.4 / sqrt(19)), tolerance = 1e-10)
  # RMSProp rho 0.9: s1 = 0.1 * g0^2 = (0.1, 1.6), w1 = w0 -/+ 0.01 / sqrt(0.1)
  r <- two_steps(optimizer_rmsprop(lr = 0.01, rho = 0.9, eps = 1e-12))
  d1 <- 0.01 / sqrt(0.1)
  expect_equal(r$w1, c(1 - d1, -1 + d1), tolerance = 1e-10)
  g1 <- c(1 - d1, -4 + 4 * d1)
  s2 <- 0.9 * c(0.1, 1.6) + 0.1 * g1^2
  expect_equal(r$state$s, s2, tolerance = 1e-12)
  expect_equal(r$w2, r$w1 - 0.01 * g1 / sqrt(s2), tolerance = 1e-10)
  # with momentum 0.5: v1 = g0 / sqrt(s1) = (1, -1) / sqrt(0.1), same w1;
  # v2 = 0.5 * v1 + g1 / sqrt(s2), w2 = w1 - 0.01 * v2
  r <- two_steps(optimizer_rmsprop(lr = 0.01, rho = 0.9, momentum = 0.5, eps = 1e-12))
  expect_equal(r$w1, c(1 - d1, -1 + d1), tolerance = 1e-10)
  v2 <- 0.5 * c(1, -1) / sqrt(0.1) + g1 / sqrt(s2)
  expect_equal(r$w2, r$w1 - 0.01 * v2, tolerance = 1e-10)
})

test_that("Adam and AdamW steps match hand computations (tol 1e-10)", {
  # step 1: bias-corrected mh = g0, vh = g0^2, so w1 = w0 - 0.1 * sign(g0) = (0.9, -0.9)
  # step 2: g1 = (0.9, -3.6); m2 = 0.09 g0 + 0.1 g1 = (0.18, -0.72), mh = m2 / 0.19;
  # v2 = 0.000999 g0^2 + 0.001 g1^2 = (0.001809, 0.028944), vh = v2 / 0.001999
  r <- two_steps(optimizer_adam(lr = 0.1, eps = 1e-12))
  expect_equal(r$w1, c(0.9, -0.9), tolerance = 1e-10)
  expect_equal(r$state$m, c(0.18, -0.72), tolerance = 1e-12)
  expect_equal(r$state$v, c(0.001809, 0.028944), tolerance = 1e-12)
  expect_identical(r$state$t, 2L)
  w2 <- 0.9 - 0.1 * (0.18 / 0.19) / sqrt(0.001809 / 0.001999)
  expect_equal(r$w2, c(w2, -w2), tolerance = 1e-10)
  expect_equal(w2, 0.800412, tolerance = 1e-6)
  # decoupled decay 0.1 with lr 0.1 shrinks w by 1%: w1 = w0 - 0.01 w0 - 0.1 sign(g0)
  r <- two_steps(optimizer_adamw(lr = 0.1, weight_decay = 0.1, eps = 1e-12))
  expect_equal(r$w1, c(0.89, -0.89), tolerance = 1e-10)
  # the decay does not enter the moments
  expect_equal(r$state$m[1], 0.09 + 0.1 * 0.89, tolerance = 1e-12)
})

test_that("reference step keeps array shape, uses the given lr, and converges", {
  opt <- optimizer_adam(lr = 0.05)
  w <- array(c(1, -2, 3, -4, 5, -6), dim = c(1, 2, 3))
  r <- optimizer_reference_step(opt, w, w)
  expect_identical(dim(r$w), c(1L, 2L, 3L))
  expect_identical(r$state$t, 1L)
  expect_length(r$state$m, 6L)
  # a step with lr = 0 changes nothing but the state
  r0 <- optimizer_reference_step(optimizer_sgd(momentum = 0.5), c(1, 2), c(3, 4), lr = 0)
  expect_identical(r0$w, c(1, 2))
  expect_identical(r0$state$v, c(3, 4))
  opts <- list(optimizer_sgd(lr = 0.1, momentum = 0.5), optimizer_sgd(lr = 0.1, momentum = 0.5, nesterov = TRUE),
               optimizer_adagrad(lr = 0.5), optimizer_rmsprop(lr = 0.01), optimizer_rmsprop(lr = 0.01, momentum = 0.5),
               optimizer_adam(lr = 0.05), optimizer_adamw(lr = 0.05))
  for (opt in opts) {
    w <- c(1, -1)
    st <- optimizer_state(opt, w)
    for (i in 1:300) {
      r <- optimizer_reference_step(opt, w, quad_grad(w), st)
      w <- r$w
      st <- r$state
    }
    expect_lt(0.5 * sum(quad_a * w^2), 1e-3)
  }
})

test_that("step and exponential schedules match hand values", {
  s <- schedule_step(step_size = 3, gamma = 0.5)
  expect_s3_class(s, c("statlearn_schedule_step", "statlearn_schedule"), exact = TRUE)
  expect_identical(schedule_rates(s, 0.1, 1, 4, 10), rep(0.1, 4))
  expect_identical(schedule_rates(s, 0.1, 3, 4, 10), rep(0.1, 4))
  expect_equal(schedule_rates(s, 0.1, 4, 4, 10), rep(0.05, 4), tolerance = 1e-15)
  expect_equal(schedule_rates(s, 0.1, 7, 2, 10), rep(0.025, 2), tolerance = 1e-15)
  e <- schedule_exponential(0.9)
  expect_equal(schedule_rates(e, 0.1, 1, 3, 5), rep(0.1, 3), tolerance = 1e-15)
  expect_equal(schedule_rates(e, 0.1, 3, 3, 5), rep(0.081, 3), tolerance = 1e-15)
  expect_identical(schedule_rates(NULL, 0.1, 3, 5, 5), rep(0.1, 5))
  expect_output(print(s), "step_size = 3")
})

test_that("cosine schedule goes from lr to min_lr over the run, per step", {
  s <- schedule_cosine(min_lr = 0.01)
  # 10 epochs x 4 steps = 40 steps; step k has rate 0.01 + 0.09 * (1 + cos(pi k / 40)) / 2
  r1 <- schedule_rates(s, 0.1, 1, 4, 10)
  expect_equal(r1[1], 0.1, tolerance = 1e-15)
  expect_equal(r1[3], 0.01 + 0.09 * (1 + cos(pi / 20)) / 2, tolerance = 1e-15)
  expect_equal(schedule_rates(s, 0.1, 6, 4, 10)[1], 0.055, tolerance = 1e-14)  # k = 20, half way
  expect_equal(schedule_rates(s, 0.1, 10, 4, 10)[4], 0.01 + 0.09 * (1 + cos(pi * 39 / 40)) / 2,
               tolerance = 1e-15)
  all_rates <- unlist(lapply(1:10, function(ep) schedule_rates(s, 0.1, ep, 4, 10)))
  expect_equal(all_rates, 0.01 + 0.09 * (1 + cos(pi * (0:39) / 40)) / 2, tolerance = 1e-14)
  expect_true(all(diff(all_rates) < 0))
  # a fixed length of 5 epochs: half way at epoch 3 step 3 (k = 10 of 20), min_lr after
  s5 <- schedule_cosine(epochs = 5)
  expect_equal(schedule_rates(s5, 0.2, 3, 4, 10)[3], 0.1, tolerance = 1e-14)
  expect_identical(schedule_rates(s5, 0.2, 6, 4, 10), rep(0, 4))
  expect_error(schedule_rates(schedule_cosine(min_lr = 1), 0.1, 1, 4, 10), class = "statlearn_error_input")
})

test_that("one-cycle schedule rises to max_lr and anneals to the final rate", {
  s <- schedule_one_cycle(max_lr = 1, pct_start = 0.25)
  # 41 steps: peak at k = 0.25 * 40 = 10, start 1/25 = 0.04, end 0.04 / 1e4 = 4e-6
  r <- schedule_rates(s, 0.1, 1, 41, 1)
  expect_equal(r[1], 0.04, tolerance = 1e-15)
  expect_equal(r[6], (0.04 + 1) / 2, tolerance = 1e-14)     # k = 5, half way up
  expect_equal(r[11], 1, tolerance = 1e-15)                 # k = 10, the peak
  expect_equal(r[26], (1 + 4e-6) / 2, tolerance = 1e-14)    # k = 25, half way down
  expect_equal(r[41], 4e-6, tolerance = 1e-12)              # last step
  expect_equal(which.max(r), 11L)
  # across epochs: 4 epochs of 10 steps, 40 steps, peak at k = 0.3 * 39 = 11.7
  s2 <- schedule_one_cycle(max_lr = 0.5)
  all_rates <- unlist(lapply(1:4, function(ep) schedule_rates(s2, 0.1, ep, 10, 4)))
  p <- 0.3 * 39
  k <- 0:39
  ref <- ifelse(k <= p, 0.5 + (0.02 - 0.5) * (1 + cos(pi * k / p)) / 2,
                2e-6 + (0.5 - 2e-6) * (1 + cos(pi * (k - p) / (39 - p))) / 2)
  expect_equal(all_rates, ref, tolerance = 1e-14)
  expect_equal(all_rates[40], 0.5 / 25 / 1e4, tolerance = 1e-12)
})

test_that("schedule arguments are validated", {
  cls <- "statlearn_error_input"
  expect_error(schedule_step(0), class = cls)
  expect_error(schedule_step(2.5), class = cls)
  expect_error(schedule_step(2, gamma = 0), class = cls)
  expect_error(schedule_exponential(1.5), class = cls)
  expect_error(schedule_cosine(min_lr = -1), class = cls)
  expect_error(schedule_cosine(epochs = 0), class = cls)
  expect_error(schedule_one_cycle(max_lr = 0), class = cls)
  expect_error(schedule_one_cycle(1, pct_start = 1), class = cls)
  expect_error(schedule_one_cycle(1, div_factor = 0.5), class = cls)
  expect_error(schedule_rates(list(type = "step"), 0.1, 1, 1, 1), class = cls)
  expect_error(schedule_rates(NULL, 0.1, 0, 1, 1), class = cls)
})

test_that("callback objects and callbacks_check", {
  cls <- "statlearn_error_input"
  es <- callback_early_stopping()
  expect_s3_class(es, c("statlearn_callback_early_stopping", "statlearn_callback"), exact = TRUE)
  expect_identical(unclass(es), list(type = "early_stopping", monitor = "val_loss", patience = 5L,
                                     min_delta = 0, mode = "min", restore_best_weights = TRUE))
  expect_identical(callback_early_stopping("val_accuracy")$mode, "max")
  expect_identical(callback_early_stopping("acc", mode = "min")$mode, "min")
  expect_error(callback_early_stopping(patience = -1), class = cls)
  expect_error(callback_early_stopping(min_delta = -0.1), class = cls)
  expect_error(callback_early_stopping(mode = "up"), class = cls)
  expect_error(callback_early_stopping(monitor = 1), class = cls)
  sc <- callback_schedule(schedule_cosine())
  expect_s3_class(sc, "statlearn_callback_schedule")
  expect_identical(sc$schedule$type, "cosine")
  expect_error(callback_schedule("cosine"), class = cls)
  la <- callback_lambda(function(epoch, logs) NULL)
  expect_s3_class(la, "statlearn_callback_lambda")
  expect_error(callback_lambda(1), class = cls)
  expect_error(callback_lambda(function(epoch) NULL), class = cls)
  expect_output(print(es), "patience 5")

  expect_identical(callbacks_check(NULL), list())
  expect_identical(callbacks_check(es), list(es))
  expect_identical(callbacks_check(list(es, sc, la)), list(es, sc, la))
  err <- expect_error(callbacks_check(list(es, "x")), class = cls)
  expect_identical(err$arg, "callbacks")
  expect_error(callbacks_check(schedule_cosine()), class = cls)
  expect_error(callbacks_check(list(sc, sc)), class = cls)
})

test_that("early stopping follows improvements, patience and min_delta", {
  cb <- callback_early_stopping(patience = 2)
  st <- early_stopping_state(cb)
  expect_identical(st, list(best = Inf, best_epoch = 0L, wait = 0L))
  losses <- c(1, 0.9, 0.95, 0.92, 0.91)
  improved <- stop <- logical(0)
  for (ep in seq_along(losses)) {
    r <- early_stopping_step(cb, st, ep, list(loss = 2, val_loss = losses[ep]))
    st <- r$state
    improved[ep] <- r$improved
    stop[ep] <- r$stop
    if (r$stop) break
  }
  expect_identical(improved, c(TRUE, TRUE, FALSE, FALSE))
  expect_identical(stop, c(FALSE, FALSE, FALSE, TRUE))
  expect_identical(st, list(best = 0.9, best_epoch = 2L, wait = 2L))
  # min_delta 0.05: 0.96 is not below 1 - 0.05, 0.94 is
  cb <- callback_early_stopping(patience = 3, min_delta = 0.05)
  st <- early_stopping_state(cb)
  st <- early_stopping_step(cb, st, 1, list(val_loss = 1))$state
  r <- early_stopping_step(cb, st, 2, list(val_loss = 0.96))
  expect_false(r$improved)
  expect_identical(r$state$wait, 1L)
  r <- early_stopping_step(cb, r$state, 3, list(val_loss = 0.94))
  expect_true(r$improved)
  expect_identical(r$state[c("best", "best_epoch", "wait")], list(best = 0.94, best_epoch = 3L, wait = 0L))
  # patience 0 stops at the first epoch without improvement; NaN never improves
  cb <- callback_early_stopping(monitor = "loss", patience = 0)
  st <- early_stopping_step(cb, early_stopping_state(cb), 1, list(loss = 0.5))$state
  r <- early_stopping_step(cb, st, 2, list(loss = NaN))
  expect_false(r$improved)
  expect_true(r$stop)
})

test_that("early stopping in max mode and with a missing metric", {
  cb <- callback_early_stopping(monitor = "val_accuracy", patience = 1, min_delta = 0.01)
  st <- early_stopping_state(cb)
  expect_identical(st$best, -Inf)
  r <- early_stopping_step(cb, st, 1, list(val_accuracy = 0.8))
  expect_true(r$improved)
  r <- early_stopping_step(cb, r$state, 2, list(val_accuracy = 0.805))
  expect_false(r$improved)
  expect_true(r$stop)
  expect_identical(r$state$best_epoch, 1L)
  err <- expect_error(early_stopping_step(cb, st, 1, list(loss = 1, val_loss = 2)),
                      class = "statlearn_error_input")
  expect_identical(err$arg, "monitor")
  expect_match(conditionMessage(err), "val_accuracy")
  expect_match(conditionMessage(err), '"loss", "val_loss"', fixed = TRUE)
})

test_that("lambda callbacks receive epoch and logs and can stop training", {
  seen <- NULL
  cb <- callback_lambda(function(epoch, logs) {
    seen <<- c(seen, epoch, logs$loss)
    logs$loss > 0.1
  })
  expect_false(lambda_step(cb, 1L, list(loss = 0.5)))
  expect_true(lambda_step(cb, 2L, list(loss = 0.05)))
  expect_identical(seen, c(1, 0.5, 2, 0.05))
  expect_false(lambda_step(callback_lambda(function(epoch, logs) NULL), 1L, list(loss = 1)))
})

test_that("the linear decay of DL eq. 8.14 falls from lr to final_lr and then stays", {
  s <- schedule_linear(final_lr = 0.01, epochs = 2)
  # 4 steps per epoch, decay over 8 steps, a run of 3 epochs
  r1 <- statlearn:::schedule_rates(s, 0.1, 1, 4, 3)
  r2 <- statlearn:::schedule_rates(s, 0.1, 2, 4, 3)
  r3 <- statlearn:::schedule_rates(s, 0.1, 3, 4, 3)
  expect_equal(r1, 0.1 - 0.09 * (0:3) / 8, tolerance = 1e-14)
  expect_equal(r2, 0.1 - 0.09 * (4:7) / 8, tolerance = 1e-14)
  expect_equal(r3, rep(0.01, 4), tolerance = 1e-14)
  expect_error(schedule_linear(final_lr = -1), class = "statlearn_error_input")
})
