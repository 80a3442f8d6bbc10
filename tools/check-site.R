# Checks a built pkgdown site of statlearn; called by `Rscript tools/site.R --check`
# or on its own:
#
#   Rscript tools/check-site.R [SITE_DIR] [--shots DIR] [--no-browser]
#
# SITE_DIR defaults to _site/ of the source tree, DIR (screenshots, browser
# reports and the list of external links) to SITE_DIR-check/. Fails (exit
# status 1) when
#   - a page is missing: home, reference index, news, articles index, one
#     article per vignettes/*.Rmd, one help page per man/*.Rd not internal;
#   - a relative href or src of any page (a, link, img, script, iframe, source,
#     and url() in the site's CSS) does not resolve to a file inside the site,
#     or names an anchor the target page does not have;
#   - an image (any page) is empty or does not decode: PNG signature, IHDR and
#     inflated IDAT size; JPEG, GIF and SVG headers; data: URIs decoded too;
#   - an external link has a '.' or '..' path segment (a local path pasted
#     into a repository URL); external links are listed, never fetched;
#   - a help page's example stops with an error;
#   - an article has no figure, or a figure it knitted is not shown, or its
#     output shows an R warning or error;
#   - in headless Chromium (--dump-dom of a copy of the page with a script that
#     reports each image after the load event), an image of the home page, the
#     reference index or an article is not complete or has natural width 0;
#     or a screenshot (1280 x 2000) of the home page, the reference and
#     articles indexes or an article is missing or blank.
# Needs xml2 and jsonlite (both come with pkgdown) and Chromium (Debian's
# chromium; or set CHROMIUM to a Chrome binary), unless --no-browser.

check_site <- function(site, shots = paste0(site, "-check"), root = NULL, browser = TRUE) {
  site <- normalizePath(site, mustWork = TRUE)
  dir.create(shots, recursive = TRUE, showWarnings = FALSE)
  shots <- normalizePath(shots)
  if (is.null(root)) root <- check_site_root()
  failures <- character()
  fail <- function(...) failures <<- c(failures, paste0(...))
  rel <- function(path) substring(path, nchar(site) + 2L)

  # 1. The pages that must exist.
  must <- c("index.html", "reference/index.html", "articles/index.html", "news/index.html")
  if (!is.null(root)) {
    vignettes <- sub("\\.Rmd$", "", list.files(file.path(root, "vignettes"), pattern = "\\.Rmd$"))
    must <- c(must, file.path("articles", paste0(vignettes, ".html")))
    for (rd in list.files(file.path(root, "man"), pattern = "\\.Rd$", full.names = TRUE)) {
      lines <- readLines(rd, warn = FALSE)
      if (any(grepl("^\\\\keyword\\{internal\\}", lines))) next
      must <- c(must, file.path("reference", sub("\\.Rd$", ".html", basename(rd))))
    }
  }
  for (m in must[!file.exists(file.path(site, must))]) fail("missing page: ", m)

  # 2. Every page: relative links, anchors and images.
  pages <- list.files(site, pattern = "\\.html$", recursive = TRUE, full.names = TRUE)
  anchors <- new.env()
  page_ids <- function(path) {
    if (is.null(anchors[[path]])) {
      doc <- xml2::read_html(path)
      anchors[[path]] <- c(xml2::xml_attr(xml2::xml_find_all(doc, "//*[@id]"), "id"),
                           xml2::xml_attr(xml2::xml_find_all(doc, "//a[@name]"), "name"))
    }
    anchors[[path]]
  }
  external <- character()
  n_links <- 0L
  n_logo <- 0L
  images <- data.frame(page = character(), src = character(), stringsAsFactors = FALSE)
  image_ok <- new.env()
  check_ref <- function(page, ref, what) {
    ref <- trimws(ref)
    if (!nzchar(ref)) return(NULL)
    if (grepl("^(//|[A-Za-z][A-Za-z0-9+.-]*:)", ref)) {
      scheme <- tolower(sub(":.*$", "", ref))
      if (scheme %in% c("http", "https", "ftp", "mailto") || startsWith(ref, "//")) {
        external <<- c(external, ref)
        # Not fetched, but a link built from a local path must not climb.
        if (grepl("/\\.\\.?(/|$)", sub("[?#].*$", "", ref))) {
          fail(rel(page), ": external link '", ref, "' has a '.' or '..' path segment")
        }
      } else if (scheme == "data" && what == "img") {
        why <- decode_data_uri(ref)
        if (!is.null(why)) fail(rel(page), ": data: image does not decode (", why, ")")
      }
      return(NULL)
    }
    n_links <<- n_links + 1L
    fragment <- if (grepl("#", ref, fixed = TRUE)) sub("^[^#]*#", "", ref) else ""
    path <- utils::URLdecode(sub("[?#].*$", "", ref))
    if (startsWith(path, "/")) {
      fail(rel(page), ": ", what, " '", ref, "' is an absolute path; the site must work from any directory")
      return(NULL)
    }
    target <- if (nzchar(path)) file.path(dirname(page), path) else page
    if (dir.exists(target)) target <- file.path(target, "index.html")
    if (!file.exists(target)) {
      fail(rel(page), ": ", what, " '", ref, "' does not exist")
      return(NULL)
    }
    target <- normalizePath(target)
    if (!startsWith(target, paste0(site, "/"))) {
      fail(rel(page), ": ", what, " '", ref, "' points outside the site")
      return(NULL)
    }
    if (nzchar(fragment) && grepl("\\.html$", target) &&
        !utils::URLdecode(fragment) %in% page_ids(target)) {
      fail(rel(page), ": link '", ref, "' names an anchor that ", rel(target), " does not have")
    }
    target
  }
  for (page in pages) {
    doc <- xml2::read_html(page)
    for (what in c("a", "link")) {
      for (ref in xml2::xml_attr(xml2::xml_find_all(doc, paste0("//", what, "[@href]")), "href")) {
        check_ref(page, ref, what)
      }
    }
    for (what in c("script", "iframe", "source", "img")) {
      nodes <- xml2::xml_find_all(doc, paste0("//", what, "[@src]"))
      if (what == "img") {
        # pkgdown 2.0.7 (BS5) writes <img src="" class="logo"> on every page of a
        # package without a logo; browsers show nothing for it. Any other empty
        # src is an error.
        empty <- !nzchar(trimws(xml2::xml_attr(nodes, "src")))
        logo <- grepl("\\blogo\\b", xml2::xml_attr(nodes, "class", default = ""))
        n_logo <- n_logo + sum(empty & logo)
        if (any(empty & !logo)) fail(rel(page), ": ", sum(empty & !logo), " <img> with an empty src")
        nodes <- nodes[!empty]
      }
      for (ref in xml2::xml_attr(nodes, "src")) {
        target <- check_ref(page, ref, what)
        if (what == "img") images[nrow(images) + 1L, ] <- c(page, ref)
        if (what == "img" && !is.null(target) && is.null(image_ok[[target]])) {
          why <- decode_image(target)
          image_ok[[target]] <- is.null(why)
          if (!is.null(why)) fail(rel(page), ": image '", ref, "' does not decode: ", why)
        }
      }
    }
    if (length(xml2::xml_find_all(doc, "//img[not(@src)]"))) fail(rel(page), ": an <img> has no src")
  }
  for (css in list.files(site, pattern = "\\.css$", recursive = TRUE, full.names = TRUE)) {
    text <- paste(readLines(css, warn = FALSE), collapse = "\n")
    refs <- regmatches(text, gregexpr("url\\(\\s*['\"]?[^)'\"]+['\"]?\\s*\\)", text))[[1]]
    refs <- gsub("^url\\(\\s*['\"]?|['\"]?\\s*\\)$", "", refs)
    for (ref in refs[!startsWith(refs, "#")]) check_ref(css, sub("#.*$", "", ref), "url()")
  }

  # 3. Help pages: no example stops with an error (pkgdown shows the error and
  # carries on); warnings are listed only.
  for (topic in list.files(file.path(site, "reference"), pattern = "\\.html$", full.names = TRUE)) {
    doc <- xml2::read_html(topic)
    errs <- xml2::xml_text(xml2::xml_find_all(doc, "//*[contains(concat(' ', @class, ' '), ' r-err ')]"))
    for (e in unique(errs)) fail(rel(topic), ": example output shows '", trimws(e), "'")
    wrns <- xml2::xml_text(xml2::xml_find_all(doc, "//*[contains(concat(' ', @class, ' '), ' r-wrn ')]"))
    for (w in unique(wrns)) message("Note: ", rel(topic), ": example output shows '", trimws(w), "'")
  }

  # 4. Articles: figures shown, no warnings or errors in the output.
  for (article in list.files(file.path(site, "articles"), pattern = "\\.html$", full.names = TRUE)) {
    name <- sub("\\.html$", "", basename(article))
    if (name == "index") next
    srcs <- images$src[images$page == article]
    figures <- srcs[startsWith(srcs, paste0(name, "_files/"))]
    if (!length(figures)) fail(rel(article), ": no figure")
    knitted <- list.files(file.path(site, "articles", paste0(name, "_files")), recursive = TRUE,
                          pattern = "\\.(png|jpe?g|svg|gif)$")
    unshown <- setdiff(knitted, substring(figures, nchar(name) + 8L))
    for (f in unshown) fail(rel(article), ": knitted figure ", f, " is not shown")
    out <- xml2::xml_text(xml2::xml_find_all(xml2::read_html(article), "//pre"))
    bad <- grep("^(#>|##) (Warning|Error)", unlist(strsplit(out, "\n")), value = TRUE)
    for (b in unique(bad)) fail(rel(article), ": output shows '", b, "'")
  }

  # 5. Headless Chromium: images loaded with natural size, screenshots.
  articles <- setdiff(list.files(file.path(site, "articles"), pattern = "\\.html$"), "index.html")
  shown <- c("index.html", "reference/index.html", "articles/index.html", file.path("articles", articles))
  if (browser) {
    chromium <- browser_path()
    if (!nzchar(chromium)) {
      fail("no Chromium found (set CHROMIUM, install Debian's chromium, or pass --no-browser)")
    } else {
      probe <- c("index.html", "reference/index.html", file.path("articles", articles))
      for (p in probe[file.exists(file.path(site, probe))]) {
        res <- browser_images(chromium, file.path(site, p))
        expected <- sum(images$page == file.path(site, p))
        if (is.character(res)) {
          fail(p, ": Chromium: ", res)
        } else if (nrow(res) != expected) {
          fail(p, ": Chromium saw ", nrow(res), " images, the HTML has ", expected)
        } else {
          for (i in which(!res$complete | res$w <= 0)) {
            fail(p, ": Chromium could not render image '", res$src[i], "' (natural width ",
                 res$w[i], ")")
          }
        }
        message(sprintf("  Chromium: %-55s %3d images, all with natural width > 0: %s",
                        p, if (is.character(res)) 0L else nrow(res),
                        !is.character(res) && all(res$complete & res$w > 0)))
      }
      for (p in shown) {
        png <- file.path(shots, paste0(gsub("[/.]", "-", sub("\\.html$", "", p)), ".png"))
        why <- browser_screenshot(chromium, file.path(site, p), png)
        if (!is.null(why)) fail(p, ": screenshot: ", why)
        else message("  screenshot: ", png)
      }
    }
  }

  # Image files no page shows (pkgdown leaves a few from examples); listed only.
  files <- list.files(site, pattern = "\\.(png|jpe?g|gif)$", recursive = TRUE, full.names = TRUE)
  orphans <- setdiff(normalizePath(files), ls(image_ok))
  if (length(orphans)) message("Image files no page shows (not an error): ", paste(rel(orphans), collapse = ", "))

  external <- sort(unique(external))
  writeLines(external, file.path(shots, "external-links.txt"))
  hosts <- table(sub("^(https?:)?//([^/]+).*$", "\\2", sub("^mailto:.*$", "mailto", external)))
  message(sprintf("Checked %d pages, %d relative links, %d images (%d files); %d external links (not fetched) in %s:",
                  length(pages), n_links, nrow(images), length(ls(image_ok)), length(external),
                  file.path(shots, "external-links.txt")))
  message(paste0("  ", names(hosts), ": ", hosts, collapse = "\n"))
  if (n_logo) message("Not checked: ", n_logo, " empty <img class=\"logo\"> written by pkgdown's template (no logo)")
  if (length(failures)) {
    message("SITE CHECK FAILED (", length(failures), " problems):\n",
            paste0("  - ", failures, collapse = "\n"))
    return(invisible(FALSE))
  }
  message("Site check passed.")
  invisible(TRUE)
}

check_site_root <- function() {
  script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))[1]
  root <- if (!is.na(script)) normalizePath(file.path(dirname(script), "..")) else getwd()
  desc <- file.path(root, "DESCRIPTION")
  if (file.exists(desc) && read.dcf(desc, "Package")[1, 1] == "statlearn") root else NULL
}

# NULL when the file decodes as the image its header says, else why not.
decode_image <- function(path) {
  size <- file.size(path)
  if (is.na(size) || size == 0) return("empty file")
  decode_bytes(readBin(path, "raw", size), tolower(tools::file_ext(path)))
}

decode_data_uri <- function(uri) {
  if (!grepl("^data:[^,]*;base64,", uri)) return(NULL)  # plain-text (e.g. SVG) URIs
  bytes <- tryCatch(jsonlite::base64_dec(sub("^data:[^,]*;base64,", "", uri)), error = function(e) raw())
  if (!length(bytes)) return("empty")
  decode_bytes(bytes, "")
}

decode_bytes <- function(b, ext) {
  u32 <- function(x) sum(as.numeric(x) * 256^(3:0))
  if (length(b) >= 8 && identical(b[1:8], as.raw(c(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)))) {
    # Walk the chunks; inflate the IDAT stream and compare its size with what
    # IHDR implies (non-interlaced), which catches truncated or corrupt files.
    pos <- 9
    idat <- list()
    width <- height <- 0
    seen_end <- FALSE
    while (pos + 7 <= length(b)) {
      len <- u32(b[pos:(pos + 3)])
      type <- rawToChar(b[(pos + 4):(pos + 7)])
      if (pos + 11 + len > length(b)) return(paste("chunk", type, "runs past the end of the file"))
      data <- if (len > 0) b[(pos + 8):(pos + 7 + len)] else raw()
      if (type == "IHDR") {
        width <- u32(data[1:4]); height <- u32(data[5:8])
        depth <- as.integer(data[9]); colour <- as.integer(data[10]); interlace <- as.integer(data[13])
      }
      if (type == "IDAT") idat[[length(idat) + 1L]] <- data
      if (type == "IEND") { seen_end <- TRUE; break }
      pos <- pos + 12 + len
    }
    if (width <= 0 || height <= 0) return("PNG without a valid IHDR (width or height 0)")
    if (!seen_end) return("PNG without IEND (truncated)")
    raw_px <- tryCatch(memDecompress(do.call(c, idat), type = "gzip"), error = function(e) NULL)
    if (is.null(raw_px)) return("PNG image data do not inflate")
    channels <- c(`0` = 1, `2` = 3, `3` = 1, `4` = 2, `6` = 4)[[as.character(colour)]]
    if (interlace == 0) {
      want <- height * (1 + ceiling(width * channels * depth / 8))
      if (length(raw_px) != want) {
        return(sprintf("PNG %gx%g holds %d bytes of pixels, expected %g", width, height, length(raw_px), want))
      }
    }
    return(NULL)
  }
  if (length(b) >= 4 && identical(b[1:3], as.raw(c(0xff, 0xd8, 0xff)))) {
    n <- length(b)
    if (!identical(b[(n - 1):n], as.raw(c(0xff, 0xd9)))) return("JPEG without end marker (truncated)")
    return(NULL)
  }
  if (length(b) >= 10 && rawToChar(b[1:4]) == "GIF8") {
    if (as.numeric(b[7]) + 256 * as.numeric(b[8]) == 0) return("GIF of width 0")
    return(NULL)
  }
  if (ext == "svg" || any(grepl("<svg", rawToChar(b[seq_len(min(length(b), 512))]), useBytes = TRUE))) {
    doc <- tryCatch(xml2::read_xml(rawToChar(b)), error = function(e) NULL)
    if (is.null(doc) || xml2::xml_name(doc) != "svg") return("SVG that does not parse")
    return(NULL)
  }
  "not a PNG, JPEG, GIF or SVG file"
}

browser_path <- function() {
  env <- Sys.getenv("CHROMIUM")
  if (nzchar(env)) return(env)
  found <- Sys.which(c("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))
  found <- found[nzchar(found)]
  if (length(found)) found[[1]] else ""
}

browser_run <- function(chromium, args) {
  profile <- tempfile("chromium-profile-")
  on.exit(unlink(profile, recursive = TRUE), add = TRUE)
  out <- tempfile(); err <- tempfile()
  on.exit(unlink(c(out, err)), add = TRUE)
  status <- system2(chromium, c("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                                paste0("--user-data-dir=", profile), args),
                    stdout = out, stderr = err, timeout = 120)
  list(status = status, stdout = paste(readLines(out, warn = FALSE), collapse = "\n"),
       stderr = paste(readLines(err, warn = FALSE), collapse = "\n"))
}

# The page's images as Chromium loaded them (src, complete, natural width and
# height), from a copy of the page that has a <base> pointing at the page's
# directory and a script that writes the report into the DOM after the load
# event; or a string saying what went wrong. The site is not touched.
browser_images <- function(chromium, page) {
  html <- paste(readLines(page, warn = FALSE, encoding = "UTF-8"), collapse = "\n")
  base <- sprintf('<base href="file://%s/">', utils::URLencode(dirname(normalizePath(page))))
  report <- paste0(
    "<script>(function () {\n",
    "  function report() {\n",
    "    var imgs = Array.prototype.filter.call(document.images, function (i) {\n",
    "      return (i.getAttribute('src') || '').trim() !== '';\n",
    "    });\n",
    "    var out = imgs.map(function (i) {\n",
    "      return {src: i.getAttribute('src'), complete: i.complete, w: i.naturalWidth, h: i.naturalHeight};\n",
    "    });\n",
    "    var pre = document.createElement('pre'); pre.id = 'statlearn-site-check';\n",
    "    pre.textContent = JSON.stringify(out); document.body.appendChild(pre);\n",
    "  }\n",
    "  if (document.readyState === 'complete') report(); else window.addEventListener('load', report);\n",
    "})();</script>")
  html <- sub("<head>", paste0("<head>", base), html, fixed = TRUE)
  html <- gsub('loading="lazy"', "", html, fixed = TRUE)
  html <- sub("</body>", paste0(report, "</body>"), html, fixed = TRUE)
  probe <- tempfile("probe-", fileext = ".html")
  on.exit(unlink(probe), add = TRUE)
  writeLines(html, probe, useBytes = TRUE)
  run <- browser_run(chromium, c("--allow-file-access-from-files", "--virtual-time-budget=15000",
                                 "--dump-dom", paste0("file://", probe)))
  if (!identical(run$status, 0L)) return(paste("exit status", run$status, substr(run$stderr, 1, 300)))
  node <- xml2::xml_find_first(xml2::read_html(run$stdout), "//pre[@id='statlearn-site-check']")
  if (inherits(node, "xml_missing")) return("the page did not finish loading (no report in the DOM)")
  res <- jsonlite::fromJSON(xml2::xml_text(node))
  if (!length(res)) return(data.frame(src = character(), complete = logical(), w = numeric(), h = numeric()))
  res
}

# NULL when Chromium wrote a non-blank 1280 x 2000 screenshot, else why not.
browser_screenshot <- function(chromium, page, png) {
  unlink(png)
  run <- browser_run(chromium, c("--virtual-time-budget=10000", "--window-size=1280,2000",
                                 paste0("--screenshot=", png), paste0("file://", normalizePath(page))))
  if (!file.exists(png)) return(paste("no file written; exit status", run$status, substr(run$stderr, 1, 300)))
  why <- decode_image(png)
  if (!is.null(why)) return(why)
  b <- readBin(png, "raw", 24)
  dims <- c(sum(as.numeric(b[17:20]) * 256^(3:0)), sum(as.numeric(b[21:24]) * 256^(3:0)))
  if (dims[1] < 1000 || dims[2] < 1000) return(sprintf("screenshot is only %gx%g", dims[1], dims[2]))
  # A blank white page of this size compresses to a few kilobytes.
  if (file.size(png) < 15000) return(sprintf("screenshot looks blank (%d bytes)", file.size(png)))
  NULL
}

if (sys.nframe() == 0L) local({
  args <- commandArgs(TRUE)
  shots_at <- which(args == "--shots")
  shots <- NULL
  if (length(shots_at)) {
    shots <- args[shots_at[1] + 1]
    args <- args[-c(shots_at[1], shots_at[1] + 1)]
  }
  browser <- !"--no-browser" %in% args
  args <- setdiff(args, "--no-browser")
  if (length(args) > 1 || any(startsWith(args, "--"))) stop("usage: Rscript tools/check-site.R [SITE_DIR] [--shots DIR] [--no-browser]", call. = FALSE)
  root <- check_site_root()
  site <- if (length(args)) args[1] else if (!is.null(root)) file.path(root, "_site") else stop("give SITE_DIR", call. = FALSE)
  if (is.null(shots)) shots <- paste0(normalizePath(site), "-check")
  ok <- check_site(site, shots = shots, root = root, browser = browser)
  if (!ok) quit(save = "no", status = 1)
})
