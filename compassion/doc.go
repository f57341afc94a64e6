// Package compassion is kindred's compassion engine: it reads a customer's
// message for what they feel and need (sentiment, emotions, distress,
// vulnerability) and an agent's reply for the care it shows (empathy,
// acknowledgement, apology, ownership, personal address, concreteness,
// politeness, plain language), and says how to make the reply kinder.
//
// Everything it reports is explainable: every score comes with the words of
// the text that produced it, and every suggestion is something a person can
// do. It is pure Go with no I/O: lexicons and model weights are embedded,
// and all functions are safe for concurrent use.
//
// Start with Analyze. It returns a Report: the customer's side
// (AnalyzeCustomer), the reply's side (ReplyReport) and the compassion
// score, 0–100, which is ScoreBase plus the effects of the reply's Signals,
// clamped; a team lead can recompute it by hand. The weights are in
// score.go, with why each is there. At most three Suggestions say what
// would help this customer most: a circumstance they mentioned and nobody
// acknowledged, blame and dismissive words, vague times, scripted formulas,
// long sentences for someone who asked for plain language, their name.
// Rephrase turns an explanation into plainer words by rule. DeskAnalyzer
// plugs the engine into the desk as a kindred.Analyzer.
//
// The reply's concreteness is the mean rating of its content words on the
// norms of Marc Brysbaert, Amy Beth Warriner and Victor Kuperman (2014),
// Concreteness ratings for 40 thousand generally known English word lemmas,
// Behavior Research Methods 46, 904–911, as Grant Packard and Jonah Berger
// (2021, Journal of Consumer Research) measured customer-service replies;
// lexicon/SOURCE.md says where every word list comes from. The score was
// checked against the EPITOME empathy annotations (Sharma, Miner, Atkins and
// Althoff, EMNLP 2020; © University of Washington, attribution licence) and
// the Stanford Politeness Corpus (Danescu-Niculescu-Mizil et al., ACL 2013):
// see calibrate_test.go.
package compassion
