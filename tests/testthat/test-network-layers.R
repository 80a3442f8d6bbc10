# Neural network specifications: shapes, parameter counts, initial weights and
# input errors (R/network-layers.R). All expected numbers are worked by hand
# from the output-size rule of the data contract:
#   ek = (k - 1) * dilation + 1
#   valid: out = floor((in - ek) / s) + 1, pad = 0
#   same:  out = ceiling(in / s), pad = max((out - 1) * s + ek - in, 0) %/% 2

conv_shape <- function(in_shape, ...) {
  layer <- layer_conv2d(network(in_shape), ...)$layers[[1]]
  list(out = layer$out_shape, pad = layer$pad)
}

test_that("network() stores integer shapes; a single number is a flat input", {
  net <- network(c(16, 16, 1))
  expect_s3_class(net, "statlearn_network")
  expect_identical(net$input_shape, c(16L, 16L, 1L))
  expect_identical(net$layers, list())
  expect_identical(network(7)$input_shape, c(1L, 1L, 7L))
  expect_identical(names(net), c("input_shape", "layers"))
})

test_that("convolution output sizes and padding follow the rule (hand-worked cases)", {
  # 16 x 16, 5 x 5 same, stride 1: out 16, total pad 15 + 5 - 16 = 4 -> 2 on top/left.
  expect_identical(conv_shape(c(16, 16, 1), 6, 5, padding = "same"),
                   list(out = c(16L, 16L, 6L), pad = c(2L, 2L)))
  # 16 x 16, 3 x 3 same, stride 2: out 8, total 7 * 2 + 3 - 16 = 1 -> pad 0 (the 1 goes bottom/right).
  expect_identical(conv_shape(c(16, 16, 1), 4, 3, strides = 2, padding = "same"),
                   list(out = c(8L, 8L, 4L), pad = c(0L, 0L)))
  # 16 x 16, 5 x 5 valid: 16 - 5 + 1 = 12.
  expect_identical(conv_shape(c(16, 16, 3), 2, 5), list(out = c(12L, 12L, 2L), pad = c(0L, 0L)))
  # 16 x 16, 3 x 3 valid, stride 2: floor(13 / 2) + 1 = 7.
  expect_identical(conv_shape(c(16, 16, 1), 1, 3, strides = 2)$out, c(7L, 7L, 1L))
  # 7 wide, kernel 2, stride 3 valid: floor(5 / 3) + 1 = 2.
  expect_identical(conv_shape(c(7, 7, 1), 1, 2, strides = 3)$out, c(2L, 2L, 1L))
  # Dilation 2 makes a 3 x 3 kernel span 5: valid 16 - 5 + 1 = 12; same pad (15 + 5 - 16) %/% 2 = 2.
  expect_identical(conv_shape(c(16, 16, 1), 1, 3, dilation = 2)$out, c(12L, 12L, 1L))
  expect_identical(conv_shape(c(16, 16, 1), 1, 3, dilation = 2, padding = "same"),
                   list(out = c(16L, 16L, 1L), pad = c(2L, 2L)))
  # Dilation 3, kernel 3 spans 7; stride 2 valid on 20: floor(13 / 2) + 1 = 7.
  expect_identical(conv_shape(c(20, 20, 1), 1, 3, strides = 2, dilation = 3)$out, c(7L, 7L, 1L))
  # Rectangular: 10 x 7, kernel 3 x 2, strides 2 x 1, same: out c(5, 7);
  # totals 4 * 2 + 3 - 10 = 1 and 6 + 2 - 7 = 1, so no pad on top or left.
  expect_identical(conv_shape(c(10, 7, 2), 3, c(3, 2), strides = c(2, 1), padding = "same"),
                   list(out = c(5L, 7L, 3L), pad = c(0L, 0L)))
  # 7 x 9, kernel 4 same: totals 3 and 3 -> 1 on top/left (2 on bottom/right).
  expect_identical(conv_shape(c(7, 9, 1), 1, 4, padding = "same"),
                   list(out = c(7L, 9L, 1L), pad = c(1L, 1L)))
  # Rectangular kernel, valid: 12 x 10 with 5 x 3 -> 8 x 8.
  expect_identical(conv_shape(c(12, 10, 1), 1, c(5, 3))$out, c(8L, 8L, 1L))
  # A kernel exactly the input's size gives 1 x 1.
  expect_identical(conv_shape(c(4, 4, 1), 2, 4)$out, c(1L, 1L, 2L))
})

test_that("pooling sizes follow the same rule, with strides defaulting to pool_size", {
  net <- network(c(28, 28, 3)) |>
    layer_max_pool2d(2) |>                                      # 14 x 14
    layer_avg_pool2d(3, strides = 2, padding = "same") |>       # ceiling(14 / 2) = 7, total 6 * 2 + 3 - 14 = 1
    layer_max_pool2d(c(3, 2), strides = 1)                      # 7 - 3 + 1 = 5, 7 - 2 + 1 = 6
  shapes <- lapply(net$layers, `[[`, "out_shape")
  expect_identical(shapes, list(c(14L, 14L, 3L), c(7L, 7L, 3L), c(5L, 6L, 3L)))
  expect_identical(net$layers[[1]]$strides, c(2L, 2L))
  expect_identical(net$layers[[2]]$pad, c(0L, 0L))
  expect_identical(net$layers[[3]]$pool_size, c(3L, 2L))
  # Valid pooling with stride 2 over 14: floor((14 - 3) / 2) + 1 = 6.
  expect_identical((network(c(14, 14, 1)) |> layer_avg_pool2d(3, strides = 2))$layers[[1]]$out_shape,
                   c(6L, 6L, 1L))
  # Same pooling 3 x 3 stride 1 over 5: total 2 -> pad 1.
  expect_identical((network(c(5, 5, 1)) |> layer_max_pool2d(3, 1, "same"))$layers[[1]]$pad, c(1L, 1L))
})

test_that("layers carry the contract's fields with the contract's types", {
  net <- network(c(8, 8, 2)) |>
    layer_conv2d(3, 3, activation = "leaky_relu") |>
    layer_locally_connected2d(2, 2, strides = 2, activation = "elu", use_bias = FALSE) |>
    layer_batch_norm() |>
    layer_flatten() |>
    layer_dropout(0.25) |>
    layer_dense(4, l1 = 0.1, l2 = 0.01, kernel_initializer = "he_normal") |>
    layer_activation("softmax")
  L <- net$layers
  expect_identical(vapply(L, `[[`, "", "name"),
                   c("conv2d_1", "locally_connected2d_1", "batch_norm_1", "flatten_1", "dropout_1",
                     "dense_1", "activation_1"))
  for (l in L) {
    expect_type(l$in_shape, "integer")
    expect_type(l$out_shape, "integer")
    expect_length(l$out_shape, 3L)
  }
  conv <- L[[1]]
  expect_identical(conv[c("type", "filters", "kernel_size", "strides", "padding", "dilation", "pad",
                          "activation", "alpha", "use_bias", "l1", "l2", "kernel_initializer")],
                   list(type = "conv2d", filters = 3L, kernel_size = c(3L, 3L), strides = c(1L, 1L),
                        padding = "valid", dilation = c(1L, 1L), pad = c(0L, 0L),
                        activation = "leaky_relu", alpha = 0.01, use_bias = TRUE, l1 = 0, l2 = 0,
                        kernel_initializer = "auto"))
  expect_identical(conv$out_shape, c(6L, 6L, 3L))
  lc <- L[[2]]
  expect_identical(lc$out_shape, c(3L, 3L, 2L))
  expect_identical(lc$dilation, c(1L, 1L))
  expect_identical(lc$alpha, 1)
  expect_false(lc$use_bias)
  expect_identical(L[[3]][c("momentum", "epsilon")], list(momentum = 0.99, epsilon = 1e-3))
  expect_identical(L[[4]]$out_shape, c(1L, 1L, 18L))
  expect_identical(L[[5]]$rate, 0.25)
  expect_identical(L[[6]][c("units", "activation", "alpha", "l1", "l2", "kernel_initializer")],
                   list(units = 4L, activation = "identity", alpha = 0, l1 = 0.1, l2 = 0.01,
                        kernel_initializer = "he_normal"))
  expect_identical(L[[7]][c("activation", "alpha", "out_shape")],
                   list(activation = "softmax", alpha = 0, out_shape = c(1L, 1L, 4L)))
  # A dense layer flattens an image input itself.
  d <- (network(c(4, 5, 3)) |> layer_dense(2))$layers[[1]]
  expect_identical(layer_param_shapes(d), list(kernel = c(60L, 2L), bias = 2L))
  # User names, and default names that skip a taken one.
  net2 <- network(3) |> layer_dense(2, name = "dense_2") |> layer_dense(2) |> layer_dense(1, name = "out")
  expect_identical(vapply(net2$layers, `[[`, "", "name"), c("dense_2", "dense_3", "out"))
})

test_that("LeNet-like parameter counts match hand counts", {
  net <- network(c(32, 32, 1)) |>
    layer_conv2d(6, 5, activation = "tanh") |>         # 5*5*1*6 + 6 = 156, 28 x 28 x 6
    layer_avg_pool2d(2) |>                             # 14 x 14 x 6
    layer_conv2d(16, 5, activation = "tanh") |>        # 5*5*6*16 + 16 = 2416, 10 x 10 x 16
    layer_max_pool2d(2) |>                             # 5 x 5 x 16
    layer_flatten() |>                                 # 400
    layer_dense(120, activation = "relu") |>           # 400*120 + 120 = 48120
    layer_dense(84, activation = "relu") |>            # 120*84 + 84 = 10164
    layer_dense(10, activation = "softmax")            # 84*10 + 10 = 850
  s <- summary(net)
  expect_s3_class(s, "statlearn_network_summary")
  expect_s3_class(s, "data.frame")
  expect_identical(names(s), c("layer", "type", "output_shape", "params"))
  expect_equal(s$params, c(156, 0, 2416, 0, 0, 48120, 10164, 850))
  expect_identical(s$output_shape, c("28 x 28 x 6", "14 x 14 x 6", "10 x 10 x 16", "5 x 5 x 16",
                                     "400", "120", "84", "10"))
  expect_identical(s$type[1:2], c("conv2d", "avg_pool2d"))
  expect_equal(attr(s, "trainable"), 61706)
  expect_equal(attr(s, "non_trainable"), 0)
  expect_output(print(s), "Total params: 61,706 \\(trainable: 61,706, non-trainable: 0\\)")
  expect_output(print(net), "conv2d_1 \\(conv2d, tanh\\) +28 x 28 x 6 +156")
  expect_output(print(net), "Total params: 61,706")
  # count_params agrees with the dims of the initial weights.
  w <- init_weights(net)
  for (i in seq_along(net$layers)) {
    n <- if (is.null(w[[i]])) 0 else sum(lengths(w[[i]]))
    expect_equal(sum(count_params(net$layers[[i]])), n, info = net$layers[[i]]$name)
  }
})

test_that("batch norm has 2 trainable and 2 non-trainable parameters per channel", {
  net <- network(c(10, 10, 3)) |> layer_conv2d(6, 3, use_bias = FALSE) |> layer_batch_norm()
  expect_equal(count_params(net$layers[[1]]), c(trainable = 162, non_trainable = 0))  # 3*3*3*6
  expect_equal(count_params(net$layers[[2]]), c(trainable = 12, non_trainable = 12))
  s <- summary(net)
  expect_equal(s$params, c(162, 24))
  expect_equal(c(attr(s, "trainable"), attr(s, "non_trainable")), c(174, 12))
  expect_output(print(s), "Total params: 186 \\(trainable: 174, non-trainable: 12\\)")
  expect_identical(layer_param_shapes(net$layers[[2]]),
                   list(gamma = 6L, beta = 6L, moving_mean = 6L, moving_variance = 6L))
  w <- init_weights(net)
  expect_identical(w[[2]], list(gamma = rep(1, 6), beta = rep(0, 6), moving_mean = rep(0, 6),
                                moving_variance = rep(1, 6)))
  # Flat input: one statistic per feature.
  flat <- network(5) |> layer_dense(7) |> layer_batch_norm()
  expect_equal(count_params(flat$layers[[2]]), c(trainable = 14, non_trainable = 14))
})

test_that("ESL Net-3 has 1226 weights (ESL Table 11.1)", {
  net <- network(c(16, 16, 1)) |>
    layer_locally_connected2d(1, 3, strides = 2, padding = "same", activation = "sigmoid") |>
    layer_locally_connected2d(1, 5, strides = 2, padding = "same", activation = "sigmoid") |>
    layer_dense(10, activation = "softmax")
  L <- net$layers
  # 16 -> ceiling(16 / 2) = 8, pad (7 * 2 + 3 - 16) %/% 2 = 0; 8 -> 4, pad (3 * 2 + 5 - 8) %/% 2 = 1.
  expect_identical(L[[1]]$out_shape, c(8L, 8L, 1L))
  expect_identical(L[[1]]$pad, c(0L, 0L))
  expect_identical(L[[2]]$out_shape, c(4L, 4L, 1L))
  expect_identical(L[[2]]$pad, c(1L, 1L))
  # 3*3 weights + 1 bias for each of 64 units; 5*5 + 1 for each of 16; 16*10 + 10.
  expect_equal(summary(net)$params, c(640, 416, 170))
  expect_equal(attr(summary(net), "trainable"), 1226)
  expect_identical(layer_param_shapes(L[[1]]),
                   list(kernel = c(3L, 3L, 1L, 1L, 8L, 8L), bias = c(8L, 8L, 1L)))
  expect_identical(layer_param_shapes(L[[2]]),
                   list(kernel = c(5L, 5L, 1L, 1L, 4L, 4L), bias = c(4L, 4L, 1L)))
})

test_that("init_weights gives the contract's arrays, NULL for layers without parameters", {
  net <- network(c(9, 9, 2)) |>
    layer_conv2d(4, 3, activation = "relu") |>                 # 7 x 7 x 4
    layer_max_pool2d(2) |>                                     # 3 x 3 x 4
    layer_locally_connected2d(3, 2, activation = "tanh") |>    # 2 x 2 x 3
    layer_dropout(0.1) |>
    layer_dense(5, use_bias = FALSE) |>
    layer_dense(2)
  set.seed(1)
  w <- init_weights(net)
  expect_length(w, 6L)
  expect_identical(names(w), vapply(net$layers, `[[`, "", "name"))
  expect_null(w[[2]])
  expect_null(w[[4]])
  expect_identical(dim(w[[1]]$kernel), c(3L, 3L, 2L, 4L))
  expect_identical(w[[1]]$bias, rep(0, 4))
  expect_identical(dim(w[[3]]$kernel), c(2L, 2L, 4L, 3L, 2L, 2L))
  expect_identical(w[[3]]$bias, array(0, dim = c(2L, 2L, 3L)))
  expect_true(is.matrix(w[[5]]$kernel))
  expect_identical(dim(w[[5]]$kernel), c(12L, 5L))
  expect_identical(names(w[[5]]), "kernel")
  expect_identical(dim(w[[6]]$kernel), c(5L, 2L))
  expect_null(dim(w[[6]]$bias))
  for (l in Filter(Negate(is.null), w)) for (a in l) expect_type(a, "double")
  # Same seed, same weights; another seed, other weights.
  set.seed(1)
  expect_identical(init_weights(net), w)
  set.seed(2)
  expect_false(identical(init_weights(net)[[1]]$kernel, w[[1]]$kernel))
})

test_that("kernel initializers respect their limits and standard deviations", {
  init_kernel <- function(init, activation = "identity", conv = FALSE) {
    net <- if (conv) {
      network(c(20, 20, 8)) |> layer_conv2d(200, 5, activation = activation, kernel_initializer = init)
    } else {
      network(400) |> layer_dense(300, activation = activation, kernel_initializer = init)
    }
    set.seed(11)
    init_weights(net)[[1]]$kernel
  }
  # dense: fan_in 400, fan_out 300; conv: fan_in 5*5*8 = 200, fan_out 5*5*200 = 5000.
  fans <- list(dense = c(400, 300), conv = c(200, 5000))
  for (kind in names(fans)) {
    fi <- fans[[kind]][1]
    fo <- fans[[kind]][2]
    conv <- kind == "conv"
    limits <- c(glorot_uniform = sqrt(6 / (fi + fo)), he_uniform = sqrt(6 / fi),
                lecun_uniform = sqrt(3 / fi))
    for (init in names(limits)) {
      k <- init_kernel(init, conv = conv)
      lab <- paste(kind, init)
      expect_lte(max(abs(k)), limits[[init]], label = lab)
      expect_gt(max(abs(k)), 0.99 * limits[[init]], label = lab)
      expect_lt(abs(mean(k)), 0.01 * limits[[init]], label = lab)
    }
    sds <- c(glorot_normal = sqrt(2 / (fi + fo)), he_normal = sqrt(2 / fi), lecun_normal = sqrt(1 / fi))
    for (init in names(sds)) {
      k <- init_kernel(init, conv = conv)
      # 40,000 to 120,000 draws: the sd is known to 0.2-0.35% (one standard
      # error), so 2% is six standard errors; and the draws are normal, not
      # truncated: 4.55% of them lie beyond two standard deviations.
      expect_equal(sd(as.vector(k)), sds[[init]], tolerance = 0.02, label = paste(kind, init))
      expect_equal(mean(abs(k) > 2 * sds[[init]]), 2 * pnorm(-2), tolerance = 0.1,
                   label = paste(kind, init, "tails"))
    }
  }
  # "auto": he_uniform for relu-like activations, glorot_uniform otherwise.
  expect_identical(init_kernel("auto", "relu"), init_kernel("he_uniform", "relu"))
  expect_identical(init_kernel("auto", "gelu", conv = TRUE), init_kernel("he_uniform", conv = TRUE))
  expect_identical(init_kernel("auto", "tanh"), init_kernel("glorot_uniform"))
  expect_identical(init_kernel("auto", "softmax"), init_kernel("glorot_uniform"))
})

test_that("locally connected kernels use the fans of one unit", {
  # fan_in 3*3*2 = 18, fan_out 3*3*4 = 36: glorot limit sqrt(6 / 54) = 1/3.
  net <- network(c(30, 30, 2)) |> layer_locally_connected2d(4, 3)
  set.seed(3)
  k <- init_weights(net)[[1]]$kernel
  expect_identical(dim(k), c(3L, 3L, 2L, 4L, 28L, 28L))
  expect_lte(max(abs(k)), 1 / 3)
  expect_gt(max(abs(k)), 0.99 / 3)
})

test_that("bad inputs are input errors naming the argument and the layer", {
  img <- network(c(4, 4, 1))
  cls <- "statlearn_error_input"
  expect_error(network(c(4, 4, 4, 4)), class = cls)  # c(4, 4) is now a sequence (issue 16)
  expect_error(network(0), class = cls)
  expect_error(network(2.5), class = cls)
  # Not a network.
  expect_error(layer_dense(list(), 3), class = cls)
  expect_error(layer_dense(matrix(1, 2, 2), 3), "`net` must be a network", class = cls)
  expect_error(init_weights(list()), class = cls)
  # Units, filters, rates, penalties.
  expect_error(layer_dense(img, -1), "`units` of layer dense_1 must be", class = cls)
  expect_error(layer_dense(img, 0), class = cls)
  expect_error(layer_dense(img, 2.5), class = cls)
  expect_error(layer_dense(img, 3, l2 = -1), "`l2` of layer dense_1", class = cls)
  expect_error(layer_dense(img, 3, l1 = Inf), class = cls)
  expect_error(layer_dense(img, 3, use_bias = NA), class = cls)
  expect_error(layer_dense(img, 3, activation = "swish"), "`activation` of layer dense_1", class = cls)
  expect_error(layer_dense(img, 3, kernel_initializer = "orthogonal"), class = cls)
  expect_error(layer_dense(img, 3, activation = "relu", alpha = 0.1), "`alpha`", class = cls)
  expect_error(layer_dense(img, 3, activation = "leaky_relu", alpha = -1), class = cls)
  expect_error(layer_conv2d(img, 0, 2), "`filters` of layer conv2d_1", class = cls)
  expect_error(layer_dropout(img, 1), "`rate` of layer dropout_1 must be in \\[0, 1\\)", class = cls)
  expect_error(layer_dropout(img, -0.1), class = cls)
  expect_error(layer_batch_norm(img, momentum = 1), class = cls)
  expect_error(layer_batch_norm(img, epsilon = 0), class = cls)
  # Kernel and window sizes.
  expect_error(layer_conv2d(img, 2, 5),
               "`kernel_size` of layer conv2d_1 must be at most the input size 4 x 4.*; got 5 x 5",
               class = cls)
  expect_error(layer_conv2d(img, 2, c(3, 5)), "got 3 x 5", class = cls)
  expect_error(layer_conv2d(img, 2, 3, dilation = 2), "effective 5 x 5", class = cls)
  expect_error(layer_locally_connected2d(img, 1, 6), "`kernel_size` of layer locally_connected2d_1",
               class = cls)
  expect_error(layer_max_pool2d(img, 5), "`pool_size` of layer max_pool2d_1", class = cls)
  expect_error(layer_conv2d(img, 2, c(1, 2, 3)), class = cls)
  expect_error(layer_conv2d(img, 2, 0), class = cls)
  expect_error(layer_conv2d(img, 2, 2, strides = 0), "`strides`", class = cls)
  expect_error(layer_conv2d(img, 2, 2, dilation = 1.5), "`dilation`", class = cls)
  expect_error(layer_avg_pool2d(img, 2, strides = c(1, -1)), class = cls)
  # A kernel bigger than the input is fine with same padding.
  expect_identical(layer_conv2d(img, 2, 5, padding = "same")$layers[[1]]$out_shape, c(4L, 4L, 2L))
  # Padding.
  expect_error(layer_conv2d(img, 2, 2, padding = "full"),
               '`padding` of layer conv2d_1 must be one of "valid", "same"', class = cls)
  expect_error(layer_max_pool2d(img, 2, padding = "causal"), class = cls)
  # Names.
  expect_error(layer_dense(img, 2, name = ""), class = cls)
  expect_error(img |> layer_dense(2, name = "h") |> layer_dense(2, name = "h"), "already taken", class = cls)
})

test_that("softmax is allowed only in the last layer", {
  out <- network(3) |> layer_dense(2, activation = "softmax")
  expect_error(layer_dense(out, 2), "softmax", class = "statlearn_error_input")
  expect_error(layer_dropout(out, 0.5), "`net` of layer dropout_1", class = "statlearn_error_input")
  expect_error(layer_activation(out, "identity"), class = "statlearn_error_input")
  act <- network(3) |> layer_dense(2) |> layer_activation("softmax")
  expect_identical(act$layers[[2]]$out_shape, c(1L, 1L, 2L))
  expect_error(layer_batch_norm(act), class = "statlearn_error_input")
  img <- network(c(6, 6, 1)) |> layer_conv2d(3, 3, activation = "softmax")
  expect_error(layer_flatten(img), class = "statlearn_error_input")
})

test_that("2-d layers after dense or flatten are told the input is flat", {
  cls <- "statlearn_error_input"
  flat <- network(c(6, 6, 1)) |> layer_flatten()
  expect_error(layer_conv2d(flat, 1, 1), "flat input of 36 features from layer flatten_1", class = cls)
  expect_error(layer_max_pool2d(flat, 1), "`net` of layer max_pool2d_1", class = cls)
  dense <- network(c(6, 6, 1)) |> layer_dense(4) |> layer_dropout(0.2) |> layer_batch_norm()
  expect_error(layer_avg_pool2d(dense, 1), "flat input of 4 features from layer dense_1", class = cls)
  expect_error(layer_locally_connected2d(dense, 1, 1), "flat", class = cls)
  expect_error(layer_conv2d(network(10), 1, 1), "flat input of 10 features from the network input",
               class = cls)
  # A 1 x 1 image produced by pooling is an image: a 1 x 1 convolution is fine.
  pooled <- network(c(2, 2, 3)) |> layer_max_pool2d(2) |> layer_conv2d(4, 1)
  expect_identical(pooled$layers[[2]]$out_shape, c(1L, 1L, 4L))
})

test_that("printing works for empty and full networks", {
  expect_output(print(network(5)), "input 5, 0 layers")
  expect_output(print(summary(network(5))), "Total params: 0")
  net <- network(c(16, 16, 1)) |> layer_conv2d(2, 3, padding = "same", activation = "relu") |>
    layer_flatten() |> layer_dense(1)
  expect_output(print(net), "flatten_1 \\(flatten\\) +512 +0")
  expect_output(print(net), "dense_1 \\(dense\\) +1 +513")
  capture.output(v <- withVisible(print(net)))
  expect_false(v$visible)
  expect_identical(v$value, net)
})

test_that("a network and its summary print in one layout", {
  net <- network(c(8, 8, 1)) |> layer_conv2d(4, 3, activation = "relu") |> layer_batch_norm() |>
    layer_flatten() |> layer_dense(3)
  out_net <- capture.output(print(net))
  out_sum <- capture.output(print(summary(net)))
  expect_identical(out_sum, out_net)
  expect_match(out_net[1], "statlearn network: input 8 x 8 x 1, 4 layers")
  expect_match(out_net[2], "^Layer \\(type\\) +Output shape +Params$")
  expect_match(out_net[3], "conv2d_1 \\(conv2d, relu\\) +6 x 6 x 4 +40")
  expect_match(out_net[length(out_net)], "Total params: 491 \\(trainable: 483, non-trainable: 8\\)")
  expect_identical(capture.output(print(summary(network(5)))), capture.output(print(network(5))))
  # A subset of the summary's rows still prints.
  expect_output(print(summary(net)[1:2, ]), "conv2d_1")
})
