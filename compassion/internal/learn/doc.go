// Package learn holds the small, deterministic machine-learning kit behind
// the compassion engine's learned models (empathy, politeness): a tokeniser
// that hashes lower-cased words without allocating, sparse multinomial
// logistic regression trained with L-BFGS, a compact quantised weight table
// for prediction, grouped k-fold cross-validation and the usual metrics
// (accuracy, macro-F1, confusion matrix).
//
// Training is single-threaded and iterates in a fixed order, so the same
// data and options give the same bytes on the same architecture.
package learn
