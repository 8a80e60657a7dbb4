// Package intents is Concierge's text classification: it trains a fast linear
// classifier over a company's intents (TF-IDF over word and character n-grams,
// one-vs-rest linear SVMs with calibrated probabilities), rejects messages that
// match no intent as out of scope, and scores complaints, sentiment,
// escalation words and language in English and Chinese.
//
// Everything runs in-process on the CPU with no network: a model for ten
// thousand examples trains in seconds and predicts in microseconds.
package intents
