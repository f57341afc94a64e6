// Package swahili is the compassion engine's Kiswahili: it tells a text's
// language (English, Kiswahili or the mix people write in Kenya), reads
// Swahili time ("saa nne asubuhi" is 10:00), measures how plain a
// Kiswahili text is, and scores the sentiment of Kiswahili and Sheng
// messages with a model trained on AfriSenti (Muhammad et al., EMNLP 2023;
// CC BY 4.0).
//
// Everything here is word-table lookups over words already split by the
// engine's tokenizer: no regular expressions, nothing that allocates per
// word. Start with Detect and Sentiment.
package swahili
