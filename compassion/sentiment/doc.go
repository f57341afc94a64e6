// Package sentiment scores the sentiment of a text with VADER (Hutto &
// Gilbert, ICWSM 2014), faithfully to the reference Python
// (vaderSentiment.py, SentimentIntensityAnalyzer.polarity_scores), quirks
// included: it gives the reference's exact scores on all 18,513 texts of
// VADER's ground-truth corpora and on 3,000 random stress texts (testdata/).
//
// Start with Analyze. It is pure (no I/O), safe for concurrent use, accepts
// any bytes, and allocates only the returned evidence: the lexicons are
// embedded (LICENSE.vader) and indexed once at start-up. Valence, IsBooster
// and IsNegation expose the lexicon to the rest of the engine. ReadRatings and
// Correlation evaluate against human ratings in VADER's ground-truth format.
package sentiment
