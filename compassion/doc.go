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
// Start with Analyze.
package compassion
