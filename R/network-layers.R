# Neural-network specifications: network(), the layer_*() constructors, the
# parameter shapes and the initial weights (the data contract of issue 4).
# A network is plain R data: list(input_shape, layers), every layer a list
# with type, name, in_shape, out_shape and its own fields. Shapes are inferred
# as each layer is added, so a mistake is reported by the call that makes it.
# Training and prediction live elsewhere and read only these fields.

# checks -----------------------------------------------------------------

nn_activations <- c("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softmax")
nn_initializers <- c("auto", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
                     "lecun_uniform", "lecun_normal")
# Activations with a slope/scale parameter and its default.
nn_alpha_default <- c(leaky_relu = 0.01, elu = 1)
# Layer types whose output is a flat vector, and types that keep their input's shape.
nn_flat_types <- c("dense", "flatten")
nn_shape_keeping_types <- c("dropout", "batch_norm", "activation")
# Parameters updated by statistics, not by the gradient.
nn_non_trainable <- c("moving_mean", "moving_variance")

check_network <- function(net, arg = "net") {
  if (!inherits(net, "statlearn_network")) {
    abort_input(arg, "a network started with network()", describe(net),
                class = "statlearn_error_type")
  }
  invisible(net)
}

# The slope/scale of leaky_relu and elu; NULL gives the default, and any other
# activation takes none (stored as 0).
check_alpha <- function(alpha, activation) {
  if (is.null(alpha)) {
    return(if (activation %in% names(nn_alpha_default)) nn_alpha_default[[activation]] else 0)
  }
  if (!activation %in% names(nn_alpha_default)) {
    abort_input("alpha", 'NULL unless activation is "leaky_relu" or "elu"',
                sprintf('%s with activation "%s"', format(alpha)[1L], activation),
                class = "statlearn_error_range")
  }
  check_nonnegative(alpha, "alpha")
}

check_layer_name <- function(name, net, type) {
  taken <- layer_names(net)
  if (is.null(name)) {
    k <- sum(vapply(net$layers, `[[`, "", "type") == type) + 1L
    while (paste0(type, "_", k) %in% taken) k <- k + 1L
    return(paste0(type, "_", k))
  }
  if (!is.character(name) || length(name) != 1L || is.na(name) || !nzchar(name)) {
    abort_input("name", "a single non-empty string", describe(name), class = "statlearn_error_type")
  }
  if (name %in% taken) {
    abort_input("name", "a name no other layer of the network has", sprintf('"%s", already taken', name),
                class = "statlearn_error_range")
  }
  name
}

# Evaluates expr; an input error raised inside names the layer after the
# argument ("`units` of layer dense_1 must be ...").
with_layer <- function(layer, expr) {
  tryCatch(expr, statlearn_error_input = function(e) {
    if (is.null(e$layer) && !is.null(e$arg)) {
      e$message <- sub(sprintf("`%s`", e$arg), sprintf("`%s` of layer %s", e$arg, layer),
                       e$message, fixed = TRUE)
      e$layer <- layer
    }
    stop(e)
  })
}

# 2-d layers need an image; a 1 x 1 x p shape produced by dense or flatten (or
# a flat network input) is a vector of p features.
check_image_input <- function(net, in_shape) {
  if (in_shape[1L] != 1L || in_shape[2L] != 1L || in_shape[3L] <= 1L) return(invisible())
  source <- NULL
  for (layer in rev(net$layers)) {
    if (layer$type %in% nn_shape_keeping_types) next
    source <- layer
    break
  }
  if (!is.null(source) && !source$type %in% nn_flat_types) return(invisible())
  from <- if (is.null(source)) "the network input" else sprintf("layer %s", source$name)
  abort_input("net",
              "an image (height x width x channels) here: 2-d layers go before layer_flatten() and layer_dense()",
              sprintf("a flat input of %d features from %s", in_shape[3L], from),
              class = "statlearn_error_shape")
}

# shapes -----------------------------------------------------------------

layer_names <- function(net) vapply(net$layers, `[[`, "", "name")

current_shape <- function(net) {
  n <- length(net$layers)
  if (n == 0L) net$input_shape else net$layers[[n]]$out_shape
}

# "8 x 8 x 6" for an image, "120" for a flat vector, "10 x 4" for a sequence
# of 10 steps of 4 features (shape c(1, 10, 4)).
shape_string <- function(shape) {
  if (shape[1L] == 1L && shape[2L] == 1L) format(shape[3L]) else
    if (shape[1L] == 1L) paste(shape[2:3], collapse = " x ") else paste(shape, collapse = " x ")
}

hw_string <- function(v) paste(v, collapse = " x ")

# TensorFlow's output-size arithmetic for windows of size k (int[2]) moved by
# strides with the given dilation over an input of size in_hw (int[2]).
# Returns list(out, pad): out int[2], pad int[2] (rows on top, columns on the left).
window_output <- function(in_hw, k, strides, dilation, padding, arg) {
  ek <- (k - 1L) * dilation + 1L
  if (padding == "valid") {
    if (any(in_hw < ek)) {
      if (all(dilation == 1L)) {
        abort_input(arg, sprintf('at most the input size %s (or use padding = "same")', hw_string(in_hw)),
                    hw_string(k), class = "statlearn_error_shape")
      }
      abort_input(arg, sprintf('small enough that the dilated size (k - 1) * dilation + 1 (dilation %s) is at most the input size %s (or use padding = "same")',
                               hw_string(dilation), hw_string(in_hw)),
                  sprintf("%s (effective %s)", hw_string(k), hw_string(ek)),
                  class = "statlearn_error_shape")
    }
    out <- (in_hw - ek) %/% strides + 1L
    pad <- c(0L, 0L)
  } else {
    out <- as.integer(ceiling(in_hw / strides))
    total <- pmax((out - 1L) * strides + ek - in_hw, 0L)
    pad <- as.integer(total %/% 2L)
  }
  list(out = as.integer(out), pad = pad)
}

# building ---------------------------------------------------------------

# Checks common to every layer; returns the layer's name and input shape.
begin_layer <- function(net, type, name) {
  check_network(net)
  name <- check_layer_name(name, net, type)
  n <- length(net$layers)
  if (n > 0L && identical(net$layers[[n]]$activation, "softmax")) {
    with_layer(name, abort_input(
      "net", "a network whose last layer is not a softmax (softmax is allowed only in the output layer)",
      sprintf("layer %s with a softmax activation", net$layers[[n]]$name),
      class = "statlearn_error_softmax"))
  }
  list(type = type, name = name, in_shape = current_shape(net))
}

add_layer <- function(net, start, out_shape, fields) {
  # Sizes are R integers (and int in the engine): a layer whose output or
  # weights would hold more than .Machine$integer.max numbers cannot be built.
  limit <- .Machine$integer.max
  too_big <- function(dims) any(!is.finite(dims)) || prod(as.double(dims)) > limit
  if (too_big(out_shape)) {
    with_layer(start$name, abort_input(
      "the layer's size", sprintf("an output of at most %d numbers per example", limit),
      sprintf("%s = %.4g numbers", paste(out_shape, collapse = " x "), prod(as.double(out_shape))),
      class = "statlearn_error_shape"))
  }
  layer <- c(list(type = start$type, name = start$name, in_shape = as.integer(start$in_shape),
                  out_shape = as.integer(out_shape)), fields)
  for (nm in names(shapes <- layer_param_shapes_double(layer))) {
    if (too_big(shapes[[nm]])) {
      with_layer(start$name, abort_input(
        "the layer's size", sprintf("a %s of at most %d weights", nm, limit),
        sprintf("%s = %.4g weights", paste(shapes[[nm]], collapse = " x "), prod(shapes[[nm]])),
        class = "statlearn_error_shape"))
    }
  }
  net$layers[[length(net$layers) + 1L]] <- layer
  net
}

# activation, alpha, use_bias, l1, l2, kernel_initializer of dense, conv2d and
# locally_connected2d layers.
weight_fields <- function(activation, alpha, use_bias, l1, l2, kernel_initializer) {
  activation <- check_choice(activation, nn_activations, "activation")
  list(activation = activation, alpha = check_alpha(alpha, activation),
       use_bias = check_flag(use_bias, "use_bias"), l1 = check_nonnegative(l1, "l1"),
       l2 = check_nonnegative(l2, "l2"),
       kernel_initializer = check_choice(kernel_initializer, nn_initializers, "kernel_initializer"))
}

#' Start a neural network specification
#'
#' Creates an empty feed-forward network for inputs of the given shape; add
#' layers with the `layer_*()` functions, which take the network first so that
#' they chain with the pipe `|>`. Each layer checks its arguments and works out
#' its output shape as it is added, so a kernel larger than its input or a
#' 2-d layer placed after [layer_flatten()] is reported at once. The network is
#' plain R data: a list with `input_shape` (integer `c(height, width,
#' channels)`) and `layers` (one list per layer, with `type`, `name`,
#' `in_shape`, `out_shape` and the layer's own settings).
#'
#' Printing a network lists each layer with its type, output shape and number
#' of parameters, then the total, trainable and non-trainable counts;
#' [summary()] returns the same table as a data frame and prints the same
#' way. A fit from [train_network()] prints this table followed by a summary
#' of its training.
#'
#' @param input_shape The shape of one input: a single number p for a vector of
#'   p features (stored as `c(1, 1, p)`), `c(T, F)` for a sequence of T time
#'   steps of F features (stored as `c(1, T, F)`; see [layer_lstm()]), or
#'   `c(height, width, channels)` for an image.
#' @return An object of class `statlearn_network`.
#' @references Goodfellow, I., Bengio, Y. and Courville, A. (2016). *Deep
#'   Learning*. MIT Press, chapters 6 and 9.
#'
#'   Hastie, Tibshirani and Friedman (2009), section 11.7 (the zip code
#'   networks Net-1 to Net-5).
#' @family neural networks
#' @export
#' @examples
#' # ESL Net-3 (section 11.7): two locally connected layers for 16 x 16 digits.
#' net <- network(c(16, 16, 1)) |>
#'   layer_locally_connected2d(1, 3, strides = 2, padding = "same", activation = "sigmoid") |>
#'   layer_locally_connected2d(1, 5, strides = 2, padding = "same", activation = "sigmoid") |>
#'   layer_dense(10, activation = "softmax")
#' net
#' summary(net)  # 1226 weights, as in ESL Table 11.1
#'
#' # A network for 5 features.
#' network(5) |> layer_dense(8, activation = "relu") |> layer_dense(1)
network <- function(input_shape) {
  if (!is.numeric(input_shape) || !(length(input_shape) %in% 1:3) || anyNA(input_shape) ||
      !all(is.finite(input_shape)) || any(input_shape != round(input_shape))) {
    abort_input("input_shape", "one whole number p (p features), two, c(T, F) (a sequence of T steps of F features), or three, c(height, width, channels)",
                describe(input_shape), class = "statlearn_error_type")
  }
  if (any(input_shape < 1) || any(input_shape > .Machine$integer.max)) {
    abort_input("input_shape", sprintf("between 1 and %d", .Machine$integer.max),
                paste(format(input_shape), collapse = " x "), class = "statlearn_error_range")
  }
  shape <- switch(length(input_shape), c(1L, 1L, as.integer(input_shape)),
                  c(1L, as.integer(input_shape)), as.integer(input_shape))
  # A sequence of one step has a flat vector's shape: mark it for the
  # recurrent layers (network-recurrent.R).
  if (length(input_shape) == 2L && shape[2L] == 1L) attr(shape, "sequence") <- TRUE
  structure(list(input_shape = shape, layers = list()), class = "statlearn_network")
}

#' Fully connected (dense) layer
#'
#' Adds a layer of `units` units, each a weighted sum of all the inputs plus a
#' bias passed through the activation: \eqn{h = g(W^T x + b)}. An image input is
#' treated as a vector of height x width x channels features.
#'
#' Activations: `"identity"`, `"sigmoid"`, `"tanh"`, `"relu"`,
#' `"leaky_relu"` (\eqn{\max(x, \alpha x)}), `"elu"` (\eqn{x} for \eqn{x > 0},
#' \eqn{\alpha(e^x - 1)} otherwise), `"gelu"` and `"softmax"`. A softmax is
#' allowed only in the output layer: no layer can be added after it.
#'
#' Kernel initializers draw the weights as uniform on \eqn{(-a, a)} or normal
#' with mean 0 and standard deviation \eqn{s}: Glorot \eqn{a = \sqrt{6/(n_{in}
#' + n_{out})}}, \eqn{s = \sqrt{2/(n_{in} + n_{out})}}; He \eqn{a =
#' \sqrt{6/n_{in}}}, \eqn{s = \sqrt{2/n_{in}}}; LeCun \eqn{a =
#' \sqrt{3/n_{in}}}, \eqn{s = \sqrt{1/n_{in}}}, where \eqn{n_{in}} and
#' \eqn{n_{out}} are the fan-in and fan-out of a unit. `"auto"` uses
#' `"he_uniform"` for relu, leaky_relu, elu and gelu and `"glorot_uniform"`
#' otherwise. Biases start at 0.
#'
#' @param net A network from [network()] and earlier `layer_*()` calls.
#' @param units Number of units (outputs), a positive whole number.
#' @param activation The activation function: one of `"identity"`,
#'   `"sigmoid"`, `"tanh"`, `"relu"`, `"leaky_relu"`, `"elu"`, `"gelu"`,
#'   `"softmax"` (output layer only).
#' @param use_bias Add a bias to each unit?
#' @param l1,l2 Non-negative weights of the L1 (lasso) and L2 (weight decay)
#'   penalties on the kernel (not on the bias).
#' @param kernel_initializer How the weights are drawn before training:
#'   `"auto"`, `"glorot_uniform"`, `"glorot_normal"`, `"he_uniform"`,
#'   `"he_normal"`, `"lecun_uniform"` or `"lecun_normal"` (see Details of
#'   [layer_dense()]).
#' @param alpha The slope of `"leaky_relu"` for negative inputs (default
#'   0.01) or the scale of `"elu"` (default 1); must be `NULL` for the other
#'   activations.
#' @param name The layer's name; by default its type and a running count, as
#'   `"dense_2"`. Names must be unique within the network.
#' @return The network with the layer appended.
#' @references Goodfellow, Bengio and Courville (2016), sections 6.2-6.3
#'   (units and activations), 7.1 (penalties) and 8.4 (initialization).
#'
#'   Hastie, Tibshirani and Friedman (2009), sections 11.3-11.5.
#' @family neural networks
#' @export
#' @examples
#' network(10) |>
#'   layer_dense(32, activation = "leaky_relu", l2 = 1e-4) |>
#'   layer_dense(3, activation = "softmax")
layer_dense <- function(net, units, activation = "identity", use_bias = TRUE, l1 = 0, l2 = 0,
                        kernel_initializer = "auto", alpha = NULL, name = NULL) {
  start <- begin_layer(net, "dense", name)
  fields <- with_layer(start$name, {
    c(list(units = check_count(units, "units")),
      weight_fields(activation, alpha, use_bias, l1, l2, kernel_initializer))
  })
  add_layer(net, start, c(1L, 1L, fields$units), fields)
}

#' Two-dimensional convolution layer
#'
#' Adds a layer of `filters` feature maps, each made by sliding one
#' `kernel_size` window of weights (over all input channels) across the image,
#' adding a bias and applying the activation. The weights are shared by all
#' positions of a feature map.
#'
#' Output size (as in TensorFlow): with effective kernel size \eqn{e = (k - 1)
#' d + 1} for kernel size \eqn{k} and dilation \eqn{d}, `padding = "valid"`
#' gives \eqn{\lfloor (n - e) / s \rfloor + 1}{floor((n - e) / s) + 1} positions along a side of length
#' \eqn{n} with stride \eqn{s} (the kernel must fit: \eqn{e \le n}), and
#' `padding = "same"` gives \eqn{\lceil n / s \rceil}{ceiling(n / s)}, padding with
#' \eqn{\max((out - 1) s + e - n, 0)}{max((out - 1) s + e - n, 0)} zeros split evenly, the odd one at the
#' bottom (right).
#'
#' @inheritParams layer_dense
#' @inherit layer_dense details
#' @param filters Number of feature maps (output channels), a positive whole
#'   number.
#' @param kernel_size Window size: one whole number (square) or two (height,
#'   width).
#' @param strides Step between windows: one whole number or two.
#' @param padding `"valid"` (windows inside the image only) or `"same"` (zero
#'   padding so that the output has \eqn{\lceil n / s \rceil}{ceiling(n / s)}
#'   positions).
#' @param dilation Spacing between the kernel's cells (1 for a dense window):
#'   one whole number or two.
#' @param untie_biases Give every position of a feature map its own bias
#'   (the weights stay shared), as ESL's zip code networks Net-4 and Net-5 do
#'   (section 11.7, Table 11.1)? The bias is then an array out_height x
#'   out_width x filters.
#' @return The network with the layer appended; its output shape is
#'   out_height x out_width x filters.
#' @references Goodfellow, Bengio and Courville (2016), sections 9.1-9.5.
#'   Hastie, Tibshirani and Friedman (2009), section 11.7.
#' @family neural networks
#' @export
#' @examples
#' net <- network(c(28, 28, 1)) |>
#'   layer_conv2d(6, 5, padding = "same", activation = "relu") |>
#'   layer_conv2d(16, 3, strides = 2, dilation = 1)
#' net
layer_conv2d <- function(net, filters, kernel_size, strides = 1, padding = "valid", dilation = 1,
                         activation = "identity", use_bias = TRUE, l1 = 0, l2 = 0,
                         kernel_initializer = "auto", alpha = NULL, name = NULL,
                         untie_biases = FALSE) {
  patch_layer(net, "conv2d", name, filters, kernel_size, strides, padding, dilation,
              weight_args = list(activation, alpha, use_bias, l1, l2, kernel_initializer),
              untie_biases = untie_biases)
}

# conv2d and locally_connected2d: the same checks, windows and fields.
patch_layer <- function(net, type, name, filters, kernel_size, strides, padding, dilation,
                        weight_args, untie_biases = NULL) {
  start <- begin_layer(net, type, name)
  fields <- with_layer(start$name, {
    check_image_input(net, start$in_shape)
    filters <- check_count(filters, "filters")
    kernel_size <- check_pair(kernel_size, "kernel_size")
    strides <- check_pair(strides, "strides")
    padding <- check_choice(padding, c("valid", "same"), "padding")
    dilation <- check_pair(dilation, "dilation")
    win <- window_output(start$in_shape[1:2], kernel_size, strides, dilation, padding, "kernel_size")
    c(list(filters = filters, kernel_size = kernel_size, strides = strides, padding = padding,
           dilation = dilation, pad = win$pad),
      do.call(weight_fields, weight_args),
      if (!is.null(untie_biases)) list(untie_biases = check_flag(untie_biases, "untie_biases")),
      list(.out = win$out))
  })
  out <- c(fields$.out, fields$filters)
  fields$.out <- NULL
  add_layer(net, start, out, fields)
}

#' Locally connected two-dimensional layer
#'
#' Like [layer_conv2d()], but every position of every feature map has its own
#' weights and bias (an "unshared convolution"): each unit sees only a
#' `kernel_size` window of the input, as in the zip code networks Net-2 and
#' Net-3 of ESL section 11.7. It has out_height x out_width times the
#' parameters of the corresponding convolution.
#'
#' @inheritParams layer_conv2d
#' @inherit layer_conv2d details
#' @return The network with the layer appended; its output shape is
#'   out_height x out_width x filters.
#' @references Goodfellow, Bengio and Courville (2016), section 9.5.
#'
#'   Hastie, Tibshirani and Friedman (2009), section 11.7, Figure 11.10.
#' @family neural networks
#' @export
#' @examples
#' # The first hidden layer of ESL Net-3: 8 x 8 units, each seeing a 3 x 3 patch.
#' network(c(16, 16, 1)) |>
#'   layer_locally_connected2d(1, 3, strides = 2, padding = "same", activation = "sigmoid")
layer_locally_connected2d <- function(net, filters, kernel_size, strides = 1, padding = "valid",
                                      activation = "identity", use_bias = TRUE, l1 = 0, l2 = 0,
                                      kernel_initializer = "auto", alpha = NULL, name = NULL) {
  patch_layer(net, "locally_connected2d", name, filters, kernel_size, strides, padding, 1L,
              weight_args = list(activation, alpha, use_bias, l1, l2, kernel_initializer))
}

pool_layer <- function(net, type, pool_size, strides, padding, name) {
  start <- begin_layer(net, type, name)
  fields <- with_layer(start$name, {
    check_image_input(net, start$in_shape)
    pool_size <- check_pair(pool_size, "pool_size")
    strides <- if (is.null(strides)) pool_size else check_pair(strides, "strides")
    padding <- check_choice(padding, c("valid", "same"), "padding")
    win <- window_output(start$in_shape[1:2], pool_size, strides, c(1L, 1L), padding, "pool_size")
    list(pool_size = pool_size, strides = strides, padding = padding, pad = win$pad, .out = win$out)
  })
  out <- c(fields$.out, start$in_shape[3L])
  fields$.out <- NULL
  add_layer(net, start, out, fields)
}

#' Pooling layers
#'
#' Add a layer that summarises each `pool_size` window of each channel by its
#' maximum (`layer_max_pool2d()`) or mean (`layer_avg_pool2d()`). The number
#' of channels is kept; the output size follows the rule of [layer_conv2d()].
#' With `padding = "same"` the windows ignore the padded cells (the mean
#' divides by the number of real cells).
#'
#' @inheritParams layer_conv2d
#' @param pool_size Window size: one whole number (square) or two (height,
#'   width).
#' @param strides Step between windows: `NULL` (the default, equal to
#'   `pool_size`: non-overlapping windows), one whole number or two.
#' @return The network with the layer appended.
#' @references Goodfellow, Bengio and Courville (2016), section 9.3.
#' @family neural networks
#' @export
#' @examples
#' network(c(28, 28, 1)) |>
#'   layer_conv2d(6, 5, activation = "relu") |>
#'   layer_max_pool2d(2) |>
#'   layer_avg_pool2d(3, strides = 2, padding = "same")
layer_max_pool2d <- function(net, pool_size = 2, strides = NULL, padding = "valid", name = NULL) {
  pool_layer(net, "max_pool2d", pool_size, strides, padding, name)
}

#' @rdname layer_max_pool2d
#' @export
layer_avg_pool2d <- function(net, pool_size = 2, strides = NULL, padding = "valid", name = NULL) {
  pool_layer(net, "avg_pool2d", pool_size, strides, padding, name)
}

#' Flatten layer
#'
#' Reshapes an image of height x width x channels into a vector of that many
#' features, so that dense layers can follow. (A dense layer flattens its
#' input anyway; `layer_flatten()` makes the step visible.)
#'
#' @inheritParams layer_dense
#' @return The network with the layer appended.
#' @family neural networks
#' @export
#' @examples
#' network(c(8, 8, 3)) |> layer_flatten() |> layer_dense(2)
layer_flatten <- function(net, name = NULL) {
  start <- begin_layer(net, "flatten", name)
  add_layer(net, start, c(1L, 1L, as.integer(prod(start$in_shape))), list())
}

#' Dropout layer
#'
#' During training, sets each input to zero with probability `rate` and scales
#' the others by \eqn{1 / (1 - rate)} ("inverted dropout"), so that nothing
#' changes at prediction time, when the layer passes its input through.
#'
#' @inheritParams layer_dense
#' @param rate The probability of dropping an input, in \eqn{[0, 1)}.
#' @return The network with the layer appended.
#' @references Goodfellow, Bengio and Courville (2016), section 7.12.
#' @family neural networks
#' @export
#' @examples
#' network(20) |> layer_dense(64, activation = "relu") |> layer_dropout(0.5) |> layer_dense(1)
layer_dropout <- function(net, rate, name = NULL) {
  start <- begin_layer(net, "dropout", name)
  fields <- with_layer(start$name, {
    list(rate = check_rate(rate, "rate"))
  })
  add_layer(net, start, start$in_shape, fields)
}

#' Batch normalization layer
#'
#' Normalizes each channel (the last axis; each feature of a flat input) to
#' mean 0 and variance 1 over the mini-batch (and over positions for images),
#' then scales by \eqn{\gamma} and shifts by \eqn{\beta}, both learned. Moving
#' averages of the batch means and variances, updated as \eqn{m \leftarrow
#' \mathrm{momentum}\, m + (1 - \mathrm{momentum})\, \mu_B}, replace the batch
#' statistics at prediction time. \eqn{\gamma} and \eqn{\beta} are trainable
#' parameters; the two moving statistics are not.
#'
#' @inheritParams layer_dense
#' @param momentum Weight of the old value in the moving averages, in
#'   \eqn{[0, 1)}.
#' @param epsilon A positive number added to the variance before the square
#'   root.
#' @return The network with the layer appended.
#' @references Goodfellow, Bengio and Courville (2016), section 8.7.1.
#' @family neural networks
#' @export
#' @examples
#' network(c(16, 16, 1)) |>
#'   layer_conv2d(4, 3) |>
#'   layer_batch_norm() |>
#'   layer_activation("relu")
layer_batch_norm <- function(net, momentum = 0.99, epsilon = 1e-3, name = NULL) {
  start <- begin_layer(net, "batch_norm", name)
  fields <- with_layer(start$name, {
    list(momentum = check_number(momentum, "momentum", lower = 0, upper = 1, upper_open = TRUE),
         epsilon = check_number(epsilon, "epsilon", lower = 0, upper = Inf, lower_open = TRUE,
                                upper_open = TRUE))
  })
  add_layer(net, start, start$in_shape, fields)
}

#' Activation layer
#'
#' Applies an activation function to each input, as a layer of its own (for
#' example after [layer_batch_norm()]).
#'
#' @inheritParams layer_dense
#' @inherit layer_dense details
#' @param activation The activation function: one of `"identity"`,
#'   `"sigmoid"`, `"tanh"`, `"relu"`, `"leaky_relu"`, `"elu"`, `"gelu"`,
#'   `"softmax"` (last layer only).
#' @return The network with the layer appended.
#' @references Goodfellow, Bengio and Courville (2016), section 6.3.
#' @family neural networks
#' @export
#' @examples
#' network(4) |> layer_dense(8) |> layer_activation("elu", alpha = 0.5)
layer_activation <- function(net, activation, alpha = NULL, name = NULL) {
  start <- begin_layer(net, "activation", name)
  fields <- with_layer(start$name, {
    activation <- check_choice(activation, nn_activations, "activation")
    list(activation = activation, alpha = check_alpha(alpha, activation))
  })
  add_layer(net, start, start$in_shape, fields)
}

# parameters -------------------------------------------------------------

# The dims of each parameter array of a layer, as a named list (empty for
# layers without parameters). 1-d parameters have a single dim.
layer_param_shapes <- function(layer) {
  lapply(layer_param_shapes_double(layer), as.integer)
}

# The same in doubles, so that add_layer() can check the sizes before they
# are made integers.
layer_param_shapes_double <- function(layer) {
  cin <- layer$in_shape[3L]
  shapes <- switch(layer$type,
    dense = {
      shapes <- list(kernel = c(prod(as.double(layer$in_shape)), layer$units))
      if (layer$use_bias) shapes$bias <- layer$units
      shapes
    },
    conv2d = {
      shapes <- list(kernel = c(layer$kernel_size, cin, layer$filters))
      if (layer$use_bias) {
        shapes$bias <- if (isTRUE(layer$untie_biases)) c(layer$out_shape[1:2], layer$filters) else
          layer$filters
      }
      shapes
    },
    locally_connected2d = {
      out_hw <- layer$out_shape[1:2]
      shapes <- list(kernel = c(layer$kernel_size, cin, layer$filters, out_hw))
      if (layer$use_bias) shapes$bias <- c(out_hw, layer$filters)
      shapes
    },
    batch_norm = list(gamma = cin, beta = cin, moving_mean = cin, moving_variance = cin),
    embedding = list(embeddings = c(layer$input_dim, layer$output_dim)),
    time_distributed = {
      shapes <- list(kernel = c(cin, layer$units))
      if (layer$use_bias) shapes$bias <- layer$units
      shapes
    },
    simple_rnn = , lstm = , gru = , bidirectional = recurrent_param_shapes(layer),
    list()
  )
}

# Number of parameters of a layer: c(trainable = , non_trainable = ).
count_params <- function(layer) {
  shapes <- layer_param_shapes(layer)
  n <- vapply(shapes, function(d) prod(as.double(d)), numeric(1))
  fixed <- names(shapes) %in% nn_non_trainable
  c(trainable = sum(n[!fixed]), non_trainable = sum(n[fixed]))
}

# fan_in and fan_out of a kernel with dims c(in, out) (dense) or
# c(kh, kw, cin, filters, ...) (conv2d, locally connected).
kernel_fans <- function(d) {
  if (length(d) == 2L) return(c(as.double(d[1L]), as.double(d[2L])))
  field <- as.double(d[1L]) * d[2L]
  c(field * d[3L], field * d[4L])
}

resolve_initializer <- function(layer) {
  init <- layer$kernel_initializer
  if (init != "auto") return(init)
  if (layer$activation %in% c("relu", "leaky_relu", "elu", "gelu")) "he_uniform" else "glorot_uniform"
}

draw_kernel <- function(d, initializer) {
  fans <- kernel_fans(d)
  n <- prod(d)
  scale <- switch(initializer,
    glorot_uniform = sqrt(6 / sum(fans)), glorot_normal = sqrt(2 / sum(fans)),
    he_uniform = sqrt(6 / fans[1L]), he_normal = sqrt(2 / fans[1L]),
    lecun_uniform = sqrt(3 / fans[1L]), lecun_normal = sqrt(1 / fans[1L]))
  v <- if (endsWith(initializer, "_uniform")) stats::runif(n, -scale, scale) else stats::rnorm(n, 0, scale)
  array(v, dim = d)
}

# Initial weights of a network (R's RNG: call set.seed() first): one entry
# per layer, NULL for layers without parameters, else a named list of double
# arrays laid out as layer_param_shapes() says (1-d ones as plain vectors).
init_weights <- function(net) {
  check_network(net)
  weights <- vector("list", length(net$layers))
  names(weights) <- layer_names(net)
  for (i in seq_along(net$layers)) {
    layer <- net$layers[[i]]
    shapes <- layer_param_shapes(layer)
    if (length(shapes) == 0L) next
    if (layer$type %in% c(nn_recurrent_types, "bidirectional")) {
      weights[[i]] <- init_recurrent_weights(layer, shapes)
      next
    }
    w <- vector("list", length(shapes))
    names(w) <- names(shapes)
    for (nm in names(shapes)) {
      d <- shapes[[nm]]
      w[[nm]] <- switch(nm,
        kernel = draw_kernel(d, resolve_initializer(layer)),
        embeddings = array(stats::runif(prod(d), -0.05, 0.05), dim = d),
        gamma = , moving_variance = rep(1, prod(d)),
        if (length(d) == 1L) numeric(d) else array(0, dim = d))
    }
    weights[[i]] <- w
  }
  weights
}

# methods ----------------------------------------------------------------

# One layout for a network wherever it is printed (the specification, its
# summary, a fit and a fit's summary): a header line, the layer table (name
# and type with activation, output shape, parameters) and the totals.
layer_type_labels <- function(layers) {
  vapply(layers, function(l) {
    label <- if (l$type == "bidirectional") {
      sprintf("bidirectional %s, %s", l$layer, l$merge)
    } else if (!is.null(l$activation) && l$activation != "identity" && l$type != "activation") {
      sprintf("%s, %s", l$type, l$activation)
    } else if (l$type == "activation") {
      sprintf("activation, %s", l$activation)
    } else {
      l$type
    }
    # The recurrent layers' dropout rates, when not zero.
    for (nm in c("dropout", "recurrent_dropout")) {
      if (!is.null(l[[nm]]) && l[[nm]] > 0) label <- sprintf("%s, %s %s", label, nm, format(l[[nm]]))
    }
    if (isTRUE(l$stateful)) label <- paste0(label, ", stateful")
    label
  }, "")
}

network_table_lines <- function(s) {
  n <- nrow(s)
  # A subset of the summary's rows loses its attributes: fall back on its columns.
  input <- attr(s, "input_shape")
  lines <- sprintf("statlearn network: %s%d layer%s",
                   if (is.null(input)) "" else sprintf("input %s, ", shape_string(input)),
                   n, if (n == 1L) "" else "s")
  if (n == 0L) {
    return(c(lines, "(no layers yet: add them with layer_dense(), layer_conv2d(), ...)",
             "Total params: 0 (trainable: 0, non-trainable: 0)"))
  }
  type <- attr(s, "type_label")
  if (length(type) != n) type <- s$type
  left <- c("Layer (type)", sprintf("%s (%s)", s$layer, type))
  shape <- c("Output shape", s$output_shape)
  params <- c("Params", format_count(s$params))
  tab <- sprintf("%s  %s  %s", formatC(left, width = -max(nchar(left))),
                 formatC(shape, width = -max(nchar(shape))),
                 formatC(params, width = max(nchar(params))))
  tr <- attr(s, "trainable") %||% sum(s$params)
  nt <- attr(s, "non_trainable") %||% 0
  c(lines, tab, sprintf("Total params: %s (trainable: %s, non-trainable: %s)",
                        format_count(tr + nt), format_count(tr), format_count(nt)))
}

#' @export
print.statlearn_network <- function(x, ...) {
  writeLines(network_table_lines(summary(x)))
  invisible(x)
}

format_count <- function(v) format(v, big.mark = ",", scientific = FALSE, trim = TRUE)

#' Summary of a neural network specification
#'
#' @param object A network from [network()] and the `layer_*()` functions.
#' @param x A `statlearn_network_summary`.
#' @param ... Not used.
#' @return `summary()` returns a data frame of class
#'   `statlearn_network_summary` with one row per layer and columns `layer`
#'   (name), `type`, `output_shape` (such as `"8 x 8 x 6"` or `"120"`) and
#'   `params` (number of parameters, trainable or not), and attributes
#'   `input_shape`, `type_label` (type and activation, as printed),
#'   `trainable` and `non_trainable` (the totals). It prints exactly as the
#'   network does: the layer table, then the totals.
#' @family neural networks
#' @export
#' @examples
#' net <- network(c(32, 32, 1)) |>
#'   layer_conv2d(6, 5, activation = "tanh") |>
#'   layer_avg_pool2d(2) |>
#'   layer_batch_norm() |>
#'   layer_flatten() |>
#'   layer_dense(10, activation = "softmax")
#' s <- summary(net)
#' s
#' sum(s$params)
summary.statlearn_network <- function(object, ...) {
  check_dots(..., fun = "summary")
  layers <- object$layers
  counts <- matrix(vapply(layers, count_params, numeric(2)), nrow = 2L)
  out <- data.frame(
    layer = as.character(layer_names(object)),
    type = as.character(vapply(layers, `[[`, "", "type")),
    output_shape = as.character(vapply(layers, function(l) shape_string(l$out_shape), "")),
    params = colSums(counts),
    stringsAsFactors = FALSE
  )
  structure(out, class = c("statlearn_network_summary", "data.frame"),
            input_shape = object$input_shape, type_label = layer_type_labels(layers),
            trainable = sum(counts[1L, ]),
            non_trainable = sum(counts[2L, ]))
}

#' @rdname summary.statlearn_network
#' @export
print.statlearn_network_summary <- function(x, ...) {
  writeLines(network_table_lines(x))
  invisible(x)
}
