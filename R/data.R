# Documentation of the data sets in data/. They are built from the raw files of
# the ESL website by data-raw/make-data.R; values are stored exactly as read.

#' Prostate cancer data
#'
#' @description
#' Measurements on 97 men who were about to have a radical prostatectomy. The
#' aim is to relate the level of prostate-specific antigen (`lpsa`, on the log
#' scale) to clinical measures. This is the corrected version of the data: in the
#' first edition of the book observation 32 had `lweight` 6.1 (a 449 g
#' prostate); here it is 3.804 (44.9 g).
#'
#' @format A data frame with 97 rows and 10 columns:
#' \describe{
#'   \item{`lcavol`}{log cancer volume.}
#'   \item{`lweight`}{log prostate weight.}
#'   \item{`age`}{age in years (integer).}
#'   \item{`lbph`}{log of the amount of benign prostatic hyperplasia.}
#'   \item{`svi`}{seminal vesicle invasion, 0 or 1 (integer).}
#'   \item{`lcp`}{log capsular penetration.}
#'   \item{`gleason`}{Gleason score (integer).}
#'   \item{`pgg45`}{percentage of Gleason scores 4 or 5 (integer).}
#'   \item{`lpsa`}{log prostate-specific antigen, the response.}
#'   \item{`train`}{logical: `TRUE` for the 67 observations of the book's
#'     training set, `FALSE` for the 30 test observations.}
#' }
#' The book standardizes the eight predictors before fitting the models of
#' Tables 3.1 to 3.3.
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, file
#'   `prostate.data`. Original study: Stamey, T. A., Kabalin, J. N., McNeal,
#'   J. E., Johnstone, I. M., Freiha, F., Redwine, E. A. and Yang, N. (1989).
#'   Prostate specific antigen in the diagnosis and treatment of adenocarcinoma
#'   of the prostate: II. Radical prostatectomy treated patients. *Journal of
#'   Urology* 141(5), 1076--1083.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 3.2.1 and
#'   Tables 3.1--3.3.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' dim(prostate)
#' table(prostate$train)
#' summary(prostate$lpsa)
#' round(cor(prostate[prostate$train, 1:8]), 3)
"prostate"

#' South African heart disease data
#'
#' @description
#' A retrospective case-control sample of 462 men from a high-risk region of the
#' Western Cape, South Africa, with about two controls per case of coronary
#' heart disease (160 cases). Some measurements were taken after the men with
#' heart disease had been treated to lower their risk factors, which can
#' distort the apparent effect of those factors.
#'
#' @format A data frame with 462 rows and 10 columns:
#' \describe{
#'   \item{`sbp`}{systolic blood pressure.}
#'   \item{`tobacco`}{cumulative tobacco consumption (kg).}
#'   \item{`ldl`}{low-density lipoprotein cholesterol.}
#'   \item{`adiposity`}{adiposity measure.}
#'   \item{`famhist`}{family history of heart disease, a factor with levels
#'     `"Absent"` and `"Present"`.}
#'   \item{`typea`}{type-A behaviour score.}
#'   \item{`obesity`}{obesity measure.}
#'   \item{`alcohol`}{current alcohol consumption.}
#'   \item{`age`}{age at onset (years).}
#'   \item{`chd`}{coronary heart disease, the response: integer 1 (case) or 0
#'     (control).}
#' }
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, file
#'   `SAheart.data`; a subset of the data of Rousseauw, J., du Plessis, J.,
#'   Benade, A., Jordaan, P., Kotze, J. and Ferreira, J. (1983). Coronary risk
#'   factor screening in three rural communities. *South African Medical
#'   Journal* 64, 430--436.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 4.4.2.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' table(SAheart$chd)
#' table(SAheart$famhist, SAheart$chd)
"SAheart"

#' Vowel recognition data (Deterding)
#'
#' @description
#' Speaker-independent recognition of the eleven steady-state vowels of British
#' English. Each row is one speech frame summarised by ten log-area ratios
#' computed by linear predictive analysis. Each speaker said each vowel six
#' times. The training set has eight speakers (48 frames per vowel), the test set
#' seven other speakers (42 frames per vowel).
#'
#' @format `vowel_train` is a data frame with 528 rows and 11 columns,
#'   `vowel_test` one with 462 rows and the same columns:
#' \describe{
#'   \item{`y`}{the vowel, a factor with levels `"1"` to `"11"`.}
#'   \item{`x.1`, ..., `x.10`}{the ten numeric input features.}
#' }
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, files
#'   `vowel.train` and `vowel.test`, from the CMU neural-network benchmark
#'   collection. Data recorded by Deterding, D. H. (1989). *Speaker
#'   Normalisation for Automatic Speech Recognition*. PhD thesis, University of
#'   Cambridge; benchmark set up by A. J. Robinson and M. Niranjan.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 4.3 and Table 4.1.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' table(vowel_train$y)
#' sapply(vowel_train[-1], mean)
#' @name vowel
#' @aliases vowel_train vowel_test
"vowel_train"

#' @rdname vowel
#' @format NULL
"vowel_test"

#' Handwritten ZIP code digits
#'
#' @description
#' Images of handwritten digits scanned from envelopes by the U.S. Postal
#' Service. The images were deslanted and normalised in size to 16 x 16 grey
#' levels scaled to \[-1, 1\]. The test set is known to be hard; an error rate
#' of 2.5% is excellent.
#'
#' @format `zip_train` is a data frame with 7291 rows and 257 columns,
#'   `zip_test` one with 2007 rows and the same columns:
#' \describe{
#'   \item{`digit`}{the digit, a factor with levels `"0"` to `"9"`.}
#'   \item{`p1`, ..., `p256`}{grey values in \[-1, 1\] (double), the 16 x 16
#'     image read row by row: `p1` to `p16` are the top row, left to right.}
#' }
#' To see a digit: `image(t(matrix(unlist(zip_train[1, -1]), 16, byrow = TRUE))[, 16:1])`.
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, files
#'   `zip.train.gz` and `zip.test.gz`, made available by the neural network
#'   group at AT&T Research. Le Cun, Y., Boser, B., Denker, J. S., Henderson,
#'   D., Howard, R. E., Hubbard, W. and Jackel, L. D. (1990). Handwritten digit
#'   recognition with a back-propagation network. In *Advances in Neural
#'   Information Processing Systems 2*, 396--404.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 11.7.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' table(zip_train$digit)
#' range(zip_test[-1])
#' img <- matrix(unlist(zip_train[1, -1]), 16, 16, byrow = TRUE)
#' image(t(img)[, 16:1], col = gray.colors(32, start = 1, end = 0), axes = FALSE,
#'       main = paste("digit", zip_train$digit[1]))
#' @name zip_digits
#' @aliases zip_train zip_test
"zip_train"

#' @rdname zip_digits
#' @format NULL
"zip_test"

#' Spam e-mail data
#'
#' @description
#' 4601 e-mail messages collected at Hewlett-Packard Labs in 1999, 1813 of them
#' spam. Each is described by the relative frequency of 48 words and 6
#' characters and by three summaries of runs of capital letters. The non-spam
#' messages came from the donors' own work and personal mail, so words such as
#' `george` and `650` (an area code) mark non-spam here and would not in general.
#'
#' @format A data frame with 4601 rows and 59 columns:
#' \itemize{
#'   \item{`word_freq_make`, ..., `word_freq_conference`}{48 columns
#'     `word_freq_WORD`: the percentage (0 to 100) of the words in the message
#'     that are WORD. The words are make, address, all, 3d, our, over, remove,
#'     internet, order, mail, receive, will, people, report, addresses, free,
#'     business, email, you, credit, your, font, 000, money, hp, hpl, george,
#'     650, lab, labs, telnet, 857, data, 415, 85, technology, 1999, parts, pm,
#'     direct, cs, meeting, original, project, re, edu, table, conference.}
#'   \item{`char_freq_semicolon`, `char_freq_parenthesis`, `char_freq_bracket`,
#'     `char_freq_exclamation`, `char_freq_dollar`, `char_freq_hash`}{the
#'     percentage of the characters in the message that are `;`, `(`, `[`,
#'     `!`, `$` and `#`.}
#'   \item{`capital_run_length_average`}{average length of the runs of capital
#'     letters.}
#'   \item{`capital_run_length_longest`}{length of the longest run of capital
#'     letters.}
#'   \item{`capital_run_length_total`}{total number of capital letters.}
#'   \item{`spam`}{the response, a factor with levels `"email"` and `"spam"`.}
#'   \item{`test`}{logical: `TRUE` for the 1536 messages of the book's test set,
#'     `FALSE` for the 3065 training messages.}
#' }
#' The raw file has no column names; the attribute names are those of the UCI
#' Spambase documentation, with the six characters spelled out.
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, files
#'   `spam.data` and `spam.traintest`. Created by Mark Hopkins, Erik Reeber,
#'   George Forman and Jaap Suermondt, Hewlett-Packard Labs, June--July 1999;
#'   donated to the UCI Machine Learning Repository (Spambase) by George Forman.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Sections 9.1 and 10.8.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' table(spam$spam, spam$test)
#' aggregate(cbind(word_freq_george, char_freq_exclamation) ~ spam, data = spam, mean)
"spam"

#' Simulated two-class mixture data
#'
#' @description
#' The two-class example of Chapter 2. Each class is a mixture of ten Gaussians:
#' the ten centres of class 0 were drawn from \eqn{N((1, 0), I)} and those of
#' class 1 from \eqn{N((0, 1), I)}; each observation picks one of its class's
#' centres at random and is drawn from \eqn{N(m_k, I/5)}. Because the model is
#' known, the list also holds the exact class probabilities on a lattice, so
#' that test and Bayes error rates can be computed without a test sample.
#'
#' @format A list with 8 components:
#' \describe{
#'   \item{`x`}{numeric matrix, 200 x 2: the training inputs.}
#'   \item{`y`}{integer vector of length 200: the class, 0 for the first 100
#'     rows and 1 for the last 100.}
#'   \item{`xnew`}{numeric matrix, 6831 x 2, columns `x1`, `x2`: the lattice
#'     `expand.grid(px1, px2)`.}
#'   \item{`prob`}{numeric vector of length 6831: \eqn{P(y = 1 | x)} at each
#'     lattice point.}
#'   \item{`marginal`}{numeric vector of length 6831: the marginal density of
#'     \eqn{x} at each lattice point, scaled to sum to 1.}
#'   \item{`px1`}{the 69 lattice values of the first coordinate.}
#'   \item{`px2`}{the 99 lattice values of the second coordinate.}
#'   \item{`means`}{numeric matrix, 20 x 2: the mixture centres, the first ten
#'     for class 0 and the next ten for class 1.}
#' }
#' The Bayes error rate is `sum(marginal * pmin(prob, 1 - prob))`, about 0.210.
#' The error of a classifier whose predicted class on the lattice is `pred`
#' (0 or 1) is `sum(marginal * ifelse(pred == 1, 1 - prob, prob))`.
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, the R object
#'   `ESL.mixture` in `ESL.mixture.rda` (simulated by the book's authors). Here
#'   `y` is stored as integer; everything else is as in that file.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 2.3 (Figures
#'   2.1--2.3).
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' str(mixture)
#' with(mixture, sum(marginal * pmin(prob, 1 - prob)))  # Bayes error
#' plot(mixture$x, col = ifelse(mixture$y == 1, "orange", "blue"),
#'      xlab = "x1", ylab = "x2")
"mixture"

#' Spinal bone mineral density data
#'
#' @description
#' Relative change in spinal bone mineral density of 261 North American
#' adolescents, measured at two or more visits. Each row compares two
#' consecutive visits of one child: `spnbmd` is the difference between them
#' divided by their average, and `age` is the average age at the two visits.
#'
#' @format A data frame with 485 rows and 4 columns:
#' \describe{
#'   \item{`idnum`}{identifier of the child (integer); repeated measurements
#'     share it.}
#'   \item{`age`}{average age at the two visits (years).}
#'   \item{`gender`}{a factor with levels `"female"` and `"male"`.}
#'   \item{`spnbmd`}{relative change in spinal bone mineral density.}
#' }
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, file
#'   `bone.data`. Bachrach, L. K., Hastie, T., Wang, M.-C., Narasimhan, B. and
#'   Marcus, R. (1999). Bone mineral acquisition in healthy Asian, Hispanic,
#'   Black and Caucasian youth: a longitudinal study. *Journal of Clinical
#'   Endocrinology and Metabolism* 84, 4702--4712.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 5.4.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' length(unique(bone$idnum))
#' plot(spnbmd ~ age, data = bone, col = ifelse(bone$gender == "male", "blue", "red"))
"bone"

#' Phoneme recognition data
#'
#' @description
#' Speech frames of five phonemes taken from the TIMIT Acoustic-Phonetic
#' Continuous Speech Corpus: "sh" as in "she", "dcl" as in "dark", "iy" as the
#' vowel in "she", "aa" as the vowel in "dark" and "ao" as the first vowel in
#' "water". Each 32 ms frame is represented by its log-periodogram at 256
#' frequencies.
#'
#' @format A data frame with 4509 rows and 258 columns:
#' \itemize{
#'   \item{`x.1`, ..., `x.256`}{the log-periodogram, from low to high
#'     frequency.}
#'   \item{`g`}{the phoneme, a factor with levels `"aa"`, `"ao"`, `"dcl"`,
#'     `"iy"` and `"sh"` (695, 1022, 757, 1163 and 872 frames).}
#'   \item{`speaker`}{character: the TIMIT utterance the frame comes from, as
#'     `subset.region.speaker.sentence`, for example
#'     `"train.dr1.mcpm0.sa1"`; the first field is TIMIT's own `"train"` or
#'     `"test"` subset.}
#' }
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, file
#'   `phoneme.data` (here rebuilt from the archived CRAN package ElemStatLearn,
#'   which holds the same values). The data set was put together by Andreas
#'   Buja, Werner Stuetzle and Martin Maechler from TIMIT (NTIS, US Department of
#'   Commerce) and used in Hastie, T., Buja, A. and Tibshirani, R. (1995).
#'   Penalized discriminant analysis. *Annals of Statistics* 23(1), 73--102.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 5.2.3
#'   ("aa" against "ao").
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' table(phoneme$g)
#' aa_ao <- droplevels(subset(phoneme, g %in% c("aa", "ao")))
#' matplot(t(aa_ao[1:10, 1:256]), type = "l", lty = 1,
#'         col = ifelse(aa_ao$g[1:10] == "aa", "green", "orange"),
#'         xlab = "frequency", ylab = "log-periodogram")
"phoneme"

#' New York ozone data
#'
#' @description
#' Daily ozone concentration and three meteorological measurements on 111 days
#' from May to September 1973 in New York. The values are close to the
#' complete cases of [datasets::airquality].
#'
#' @format A data frame with 111 rows and 4 columns:
#' \describe{
#'   \item{`ozone`}{ozone concentration (ppb).}
#'   \item{`radiation`}{solar radiation (langleys).}
#'   \item{`temperature`}{daily maximum temperature (degrees F).}
#'   \item{`wind`}{wind speed (mph).}
#' }
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, file
#'   `ozone.data`. Like the S data set `air`, except that `air` holds the cube
#'   root of ozone. For the full 1973 series see [datasets::airquality], taken
#'   from Chambers, J. M., Cleveland, W. S., Kleiner, B. and Tukey, P. A.
#'   (1983). *Graphical Methods for Data Analysis*. Wadsworth.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Chapter 6.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' summary(ozone)
#' plot(ozone^(1/3) ~ temperature, data = ozone)
"ozone"

#' Los Angeles ozone data
#'
#' @description
#' Ozone level and eight meteorological measurements on 330 days of 1976 in the
#' Los Angeles basin: the days with no missing values. The response `ozone` is
#' the daily maximum of the hourly average ozone concentration at Upland,
#' California. The data came to the book's authors from Leo Breiman.
#'
#' @format A data frame with 330 rows and 10 integer columns:
#' \describe{
#'   \item{`ozone`}{Upland maximum ozone.}
#'   \item{`vh`}{Vandenberg 500 millibar pressure height.}
#'   \item{`wind`}{wind speed (mph).}
#'   \item{`humidity`}{humidity (%).}
#'   \item{`temp`}{Sandburg Air Force Base temperature.}
#'   \item{`ibh`}{inversion base height.}
#'   \item{`dpg`}{Daggett pressure gradient.}
#'   \item{`ibt`}{inversion base temperature.}
#'   \item{`vis`}{visibility (miles).}
#'   \item{`doy`}{day of the year.}
#' }
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, file
#'   `LAozone.data`. Analysed in Breiman, L. and Friedman, J. H. (1985).
#'   Estimating optimal transformations for multiple regression and correlation.
#'   *Journal of the American Statistical Association* 80, 580--598.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 9.1.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' summary(LAozone$ozone)
#' plot(ozone ~ doy, data = LAozone)
"LAozone"

#' Radial velocity of the galaxy NGC 7531
#'
#' @description
#' Radial velocity of the spiral galaxy NGC 7531 measured at 323 points of the
#' sky it covers. The points lie on seven slits that cross near the centre of
#' the galaxy.
#'
#' @format A data frame with 323 rows and 5 columns:
#' \describe{
#'   \item{`east.west`}{east-west coordinate; the origin is near the centre of
#'     the galaxy, east negative and west positive.}
#'   \item{`north.south`}{north-south coordinate, south negative and north
#'     positive.}
#'   \item{`angle`}{angle of the slit, in degrees counter-clockwise from the
#'     horizontal (seven distinct values).}
#'   \item{`radial.position`}{signed distance from the origin, negative when
#'     `east.west` is negative.}
#'   \item{`velocity`}{radial velocity (km/s, integer).}
#' }
#' The file's row labels (which start at 3) are not kept.
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, file
#'   `galaxy.data`. Buta, R. (1987). The structure and dynamics of ringed
#'   galaxies, III: surface photometry and kinematics of the ringed nonbarred
#'   spiral NGC 7531. *The Astrophysical Journal Supplement Series* 64, 1--37.
#'   Also in Chambers, J. M. and Hastie, T. J. (eds.) (1992). *Statistical
#'   Models in S*. Wadsworth & Brooks/Cole, p. 352.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Chapter 6.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' table(galaxy$angle)
#' plot(north.south ~ east.west, data = galaxy, asp = 1)
"galaxy"

#' Marketing survey data
#'
#' @description
#' Fourteen demographic questions from a survey of shopping mall customers in
#' the San Francisco Bay Area (Impact Resources, 1987). Of the 9409
#' questionnaires, the 8993 that answer the income question are kept. All
#' columns are integer codes, ordinal for most questions, with `NA` for a
#' missing answer (2694 in all; `Income`, `Sex`, `Age`, `Dual_Income` and
#' `Householdu18` have none).
#'
#' @format A data frame with 8993 rows and 14 integer columns:
#' \describe{
#'   \item{`Income`}{annual income of the household (personal income if
#'     single): 1 less than $10,000; 2 $10,000--14,999; 3 $15,000--19,999;
#'     4 $20,000--24,999; 5 $25,000--29,999; 6 $30,000--39,999;
#'     7 $40,000--49,999; 8 $50,000--74,999; 9 $75,000 or more.}
#'   \item{`Sex`}{1 male, 2 female.}
#'   \item{`Marital`}{1 married, 2 living together (not married), 3 divorced
#'     or separated, 4 widowed, 5 single (never married).}
#'   \item{`Age`}{1 14--17, 2 18--24, 3 25--34, 4 35--44, 5 45--54, 6 55--64,
#'     7 65 and over.}
#'   \item{`Edu`}{education: 1 grade 8 or less, 2 grades 9--11, 3 high school
#'     graduate, 4 1--3 years of college, 5 college graduate, 6 graduate study.}
#'   \item{`Occupation`}{1 professional/managerial, 2 sales, 3 factory
#'     worker/laborer/driver, 4 clerical/service, 5 homemaker, 6 student,
#'     7 military, 8 retired, 9 unemployed.}
#'   \item{`Lived`}{time lived in the San Francisco/Oakland/San Jose area:
#'     1 less than a year, 2 one to three years, 3 four to six years, 4 seven to
#'     ten years, 5 more than ten years.}
#'   \item{`Dual_Income`}{1 not married, 2 married with two incomes, 3 married
#'     with one income.}
#'   \item{`Household`}{persons in the household, 1 to 9 (9 means nine or
#'     more).}
#'   \item{`Householdu18`}{persons in the household under 18, 0 to 9 (9 means
#'     nine or more).}
#'   \item{`Status`}{householder status: 1 own, 2 rent, 3 live with
#'     parents/family.}
#'   \item{`Home_Type`}{1 house, 2 condominium, 3 apartment, 4 mobile home,
#'     5 other.}
#'   \item{`Ethnic`}{1 American Indian, 2 Asian, 3 Black, 4 East Indian,
#'     5 Hispanic, 6 Pacific Islander, 7 White, 8 other.}
#'   \item{`Language`}{language spoken most often at home: 1 English,
#'     2 Spanish, 3 other.}
#' }
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, file
#'   `marketing.data`. Survey by Impact Resources, Inc., Columbus, Ohio (1987).
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 14.2.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' colSums(is.na(marketing))
#' table(marketing$Income)
"marketing"

#' Waveform data
#'
#' @description
#' A simulated three-class problem with 21 inputs (Breiman et al., 1984). Each
#' class is a random convex combination of two of three shifted triangular
#' waveforms on the points 1, ..., 21, plus independent standard Gaussian
#' noise. These are one training sample of 300 and one test sample of 500
#' observations generated with the ESL website's code.
#'
#' @format `waveform_train` is a data frame with 300 rows and 22 columns,
#'   `waveform_test` one with 500 rows and the same columns:
#' \describe{
#'   \item{`y`}{the class, a factor with levels `"1"`, `"2"` and `"3"`.}
#'   \item{`x.1`, ..., `x.21`}{the 21 numeric inputs.}
#' }
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, files
#'   `waveform.train` and `waveform.test`. The model is from Breiman, L.,
#'   Friedman, J. H., Olshen, R. A. and Stone, C. J. (1984). *Classification
#'   and Regression Trees*. Wadsworth.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 12.7.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' table(waveform_train$y)
#' matplot(t(aggregate(. ~ y, data = waveform_train, mean)[, -1]), type = "l",
#'         lty = 1, xlab = "input", ylab = "class mean")
#' @name waveform
#' @aliases waveform_train waveform_test
"waveform_train"

#' @rdname waveform
#' @format NULL
"waveform_test"

#' Country dissimilarities
#'
#' @description
#' Average dissimilarities between twelve countries, as judged by a group of
#' political science students. Larger values mean less similar.
#'
#' @format A symmetric 12 x 12 numeric matrix with zero diagonal. Rows and
#'   columns are named `BEL` (Belgium), `BRA` (Brazil), `CHI` (Chile), `CUB`
#'   (Cuba), `EGY` (Egypt), `FRA` (France), `IND` (India), `ISR` (Israel), `USA`
#'   (United States), `USS` (Soviet Union), `YUG` (Yugoslavia) and `ZAI`
#'   (Zaire).
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, file
#'   `countries.data`. Kaufman, L. and Rousseeuw, P. J. (1990). *Finding Groups
#'   in Data: An Introduction to Cluster Analysis*. Wiley.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Section 14.3.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' countries["USA", ]
#' hc <- hclust(as.dist(countries), method = "average")
#' plot(hc)
"countries"

#' NCI60 microarray data
#'
#' @description
#' Expression of 6830 genes in 64 human cancer cell lines, most of them from the
#' NCI60 panel. Missing values were imputed with an SVD by the book's authors.
#' The column names give the type of cancer of each cell line.
#'
#' @format A numeric matrix with 6830 rows (genes, named `g1` to `g6830`) and 64
#'   columns (cell lines). The column names are the cell-line labels, so they
#'   repeat: `BREAST` (7), `CNS` (5), `COLON` (7), `LEUKEMIA` (6), `MELANOMA`
#'   (8), `NSCLC` (9, non-small-cell lung cancer), `OVARIAN` (6), `PROSTATE`
#'   (2), `RENAL` (9), `UNKNOWN` (1), and the four lines `K562A-repro`,
#'   `K562B-repro`, `MCF7A-repro` and `MCF7D-repro`, repeated preparations of
#'   the leukemia line K562 and the breast cancer line MCF7. In the source file
#'   the columns are named `s1` to `s64` in the same order. Use
#'   `factor(colnames(nci))` for the labels, and note that `as.data.frame(nci)`
#'   makes the names unique.
#'
#' @source ESL website, <https://hastie.su.domains/ElemStatLearn/>, files
#'   `nci.data.csv` and `nci.label`; originally from
#'   <http://genome-www.stanford.edu/nci60/>. Ross, D. T. et al. (2000).
#'   Systematic variation in gene expression patterns in human cancer cell
#'   lines. *Nature Genetics* 24, 227--235.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements
#'   of Statistical Learning*, 2nd edition. Springer. Chapter 1 and
#'   Section 14.3.
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' dim(nci)
#' table(colnames(nci))
#' km <- kmeans(t(nci), centers = 3, nstart = 1)
#' table(km$cluster, colnames(nci))
"nci"

#' Pride and Prejudice, chapters 1 to 18
#'
#' @description
#' The first 18 chapters of Jane Austen's novel *Pride and Prejudice* (1813),
#' one row per paragraph: about 179,000 characters of English prose, 66
#' distinct characters, for character-level language models (Deep Learning
#' book, section 10.2; `vignette("dl-10-sequence-modeling")`).
#'
#' @format A data frame with 633 rows and 2 columns:
#' \describe{
#'   \item{`chapter`}{the chapter, 1 to 18.}
#'   \item{`text`}{the paragraph, its lines joined by single spaces. The
#'     text keeps Project Gutenberg's plain-text conventions: straight quotes
#'     and `_underscores_` around italics.}
#' }
#'
#' @source Project Gutenberg eBook #1342, <https://www.gutenberg.org/ebooks/1342>,
#'   as distributed in the R package janeaustenr (Silge, J., 2022, version
#'   1.0.0, <https://CRAN.R-project.org/package=janeaustenr>); the script
#'   `data-raw/austen.R` of the package sources extracts it. The novel is in
#'   the public domain (published in 1813; the author died in 1817).
#' @family datasets
#' @docType data
#' @keywords datasets
#' @md
#' @examples
#' text <- paste(pride_prejudice$text, collapse = "\n")
#' nchar(text)
#' substr(text, 1, 120)
#' # the 20 most frequent characters
#' head(sort(table(strsplit(text, "")[[1]]), decreasing = TRUE), 20)
"pride_prejudice"
