package compassion

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kindred-desk/kindred/compassion/empathy"
	"github.com/kindred-desk/kindred/compassion/internal/learn"
	"github.com/kindred-desk/kindred/compassion/internal/text"
	"github.com/kindred-desk/kindred/compassion/politeness"
	"github.com/kindred-desk/kindred/compassion/sentiment"
	"github.com/kindred-desk/kindred/compassion/swahili"
)

// Input is one exchange to analyse: the customer's message and the agent's
// reply to it, either of which may be empty, with what we know of the
// customer.
type Input struct {
	CustomerMessage string `json:"customer_message"`
	Reply           string `json:"reply"`
	// CustomerName is how the agent should address the customer ("Mrs.
	// Wanjiru", "Baba Otieno"); the reply is credited for using it.
	CustomerName string `json:"customer_name"`
	// Accommodations are the customer's needs by canonical name
	// ("plain_language", "low_vision"); the spellings people write ("plain
	// language", "Low-Vision") are accepted too. Unknown names are ignored.
	Accommodations []string `json:"accommodations"`
	// Channel is how the reply reaches the customer: ChannelSMS (160
	// characters), ChannelPost (a public post, 280) or anything else for
	// no limit. Suggestions and their examples fit it.
	Channel string `json:"channel,omitempty"`
	// Language is the agent's console language, "en" or "sw": the
	// language suggestions are written in. Empty is English.
	Language string `json:"language,omitempty"`
}

// Channels with a length limit.
const (
	ChannelSMS  = "sms"
	ChannelPost = "post"
)

// Report is the engine's reading of an exchange.
type Report struct {
	// ID is the caller's identifier of the exchange, echoed as given (a JSON
	// string or number); null when the caller set none. Analyze leaves it
	// nil. When set it must hold valid JSON.
	ID json.RawMessage `json:"id"`
	// Compassion is the reply's compassion score, 0–100; nil (JSON null)
	// when there is no reply to score. See Signal for how to recompute it.
	Compassion *float64 `json:"compassion"`
	// Customer reads the customer's message; nil when there is none.
	Customer *CustomerReport `json:"customer"`
	// Reply reads the agent's reply; nil when there is none.
	Reply *ReplyReport `json:"reply"`
	// Truncated is set when a message was longer than MaxAnalyzed bytes and
	// only its beginning was read.
	Truncated bool `json:"truncated,omitempty"`
}

// MaxAnalyzed is how much of each message Analyze reads, in bytes: 256 KB,
// about a hundred pages. A real message is far shorter; the limit keeps the
// time and memory of one analysis bounded whatever arrives.
const MaxAnalyzed = 256 << 10

// clip returns the first MaxAnalyzed bytes of s, cut at a character
// boundary, and whether it cut anything.
func clip(s string) (string, bool) {
	if len(s) <= MaxAnalyzed {
		return s, false
	}
	cut := MaxAnalyzed
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

// ReplyReport is what the engine reads in an agent's reply.
type ReplyReport struct {
	// Language is the reply's language: "en", "sw" or "mixed". A
	// Kiswahili or mixed reply is not read by the English politeness,
	// concreteness and reading-grade models: Politeness is then 0.5 and
	// Concreteness 2.5 with RatedWords 0 (their neutral values, which add
	// no points), and PlainLanguage uses the Kiswahili measure. A
	// Kiswahili reply's empathy levels come from its Kiswahili phrases
	// (pole, samahani, naelewa…), not from the English empathy model.
	Language        string             `json:"language"`
	Sentiment       sentiment.Scores   `json:"sentiment"`
	Empathy         empathy.Levels     `json:"empathy"`
	EmpathyEvidence []empathy.Evidence `json:"empathy_evidence"`
	// Politeness is the probability that a reader finds the reply polite.
	Politeness           float64               `json:"politeness"`
	PolitenessStrategies []politeness.Strategy `json:"politeness_strategies"`
	// Concreteness is the mean concreteness, 1 (abstract) to 5 (concrete),
	// of the reply's rated content words on the Brysbaert, Warriner &
	// Kuperman (2014) norms; 2.5 when no word is rated (RatedWords = 0).
	Concreteness float64 `json:"concreteness"`
	RatedWords   int     `json:"rated_words"`
	// VagueWords are vague time and action words, with what to say instead.
	VagueWords    []Alternative `json:"vague_words"`
	PlainLanguage PlainLanguage `json:"plain_language"`
	NextStep      NextStep      `json:"next_step"`
	// Signals are the findings behind the compassion score, each with its
	// effect in points.
	Signals []Signal `json:"signals"`
	// Suggestions are at most MaxSuggestions things to do, most helpful first.
	Suggestions []Suggestion `json:"suggestions"`
}

// Analyze reads an exchange: the customer's message (emotions, distress,
// urgency, circumstances) and the agent's reply (empathy, acknowledgement,
// apology, ownership, blame, concreteness, plain language, next step…),
// scores the reply for compassion and suggests at most three improvements.
// It accepts any input, however long or malformed (it reads at most
// MaxAnalyzed bytes of each message), and is safe for concurrent use.
func Analyze(in Input) Report {
	sc := scratchPool.Get().(*scratch)
	defer putScratch(sc)
	return analyze(in, sc, nil)
}

// Preload reads the English lexicons and models now rather than on first
// use (the Kiswahili sentiment model still loads when a Kiswahili message
// first needs it). They are most of the engine's memory and never change:
// a caller that tunes the garbage collector for a long run, such as
// `kindred analyze --jsonl`, can load them first with the collector off,
// since a collection while they load has nothing to free.
func Preload() {
	loadLexicons()
	customerLex()
	models()
	sentiment.Preload()
}

// models are the empathy and politeness models reading one joined table.
// Both weigh the reply's word unigrams and bigrams, under the same keys, so
// one lookup finds a key's weights for both: the politeness model's own
// lookups were a tenth of the engine's cache misses (callgrind, 512 KB
// cache), though its table is small, as the empathy model's larger one
// pushed it out of the cache.
var models = sync.OnceValue(func() (m struct {
	emp *empathy.Model
	pol *politeness.Model
}) {
	// Decoded joined straight from the files: decoding the empathy
	// table on its own only to copy it cost as much again. Should the
	// embedded files not decode (TestEmbeddedModelLoads guards against
	// shipping that), the models weigh nothing, as Default's then would.
	e, p, _ := learn.DecodeJoined(empathy.DefaultTable(), politeness.DefaultTable())
	m.emp, m.pol = empathy.DefaultWithWeights(e), politeness.DefaultWithWeights(p)
	return m
})

// AppendJSON appends the report of Analyze(in), with id as its ID, to dst
// as JSON (what Report.AppendJSON writes) and returns the extended buffer.
// It is for callers that only write the report out, such as `kindred
// analyze --jsonl`: the report's own storage (its reply part, score,
// customer part, signals and suggestions, about 1 KB an exchange) is reused
// from one call to the next instead of being left to the garbage collector.
func AppendJSON(dst []byte, id json.RawMessage, in Input) []byte {
	var b [1]exchange
	b[0].in, b[0].r.ID = in, id
	return appendBatch(dst, b[:], false)
}

// MaxBatch is how many exchanges AppendJSONLines reads at once: more add
// memory (a scratch each) and little speed.
const MaxBatch = 16

// AppendJSONLines appends the report of each of ins, with ids[i] as its ID
// and followed by a newline, to dst, as AppendJSON would one after another,
// and returns the extended buffer. len(ids) must be len(ins).
//
// It reads the exchanges stage by stage (every customer message, then every
// reply, then the models…) rather than one exchange at a time: the engine's
// code is larger than the processor's instruction cache, and one stage's
// code, read for each exchange of the batch in turn, stays in it. Batches
// of more than MaxBatch are read MaxBatch at a time.
func AppendJSONLines(dst []byte, ids []json.RawMessage, ins []Input) []byte {
	if len(ids) != len(ins) {
		panic("compassion: AppendJSONLines: len(ids) != len(ins)")
	}
	// The batch (18 KB) escapes to the heap: a new one each call was more
	// than a third of the bytes `analyze --jsonl` allocated, and fresh
	// memory to write to each time.
	b := batchPool.Get().(*[MaxBatch]exchange)
	for len(ins) > 0 {
		n := min(len(ins), MaxBatch)
		for i := range n {
			b[i] = exchange{in: ins[i]}
			b[i].r.ID = ids[i]
		}
		dst = appendBatch(dst, b[:n], true)
		ins, ids = ins[n:], ids[n:]
	}
	batchPool.Put(b) // appendBatch left each exchange zero
	return dst
}

var batchPool = sync.Pool{New: func() any { return new([MaxBatch]exchange) }}

// appendBatch analyses the exchanges of xs stage by stage, each with a
// scratch and a report store of its own for what its report refers to, and
// one work scratch for all of them, and appends their reports to dst, each
// followed by a newline when lines is set.
func appendBatch(dst []byte, xs []exchange, lines bool) []byte {
	work := scratchPool.Get().(*scratch)
	for i := range xs {
		xs[i].sc = scratchPool.Get().(*scratch)
		xs[i].store = storePool.Get().(*reportStore)
		xs[i].work = work
	}
	runStages(xs)
	putScratch(work)
	for i := range xs {
		x := &xs[i]
		dst = x.r.AppendJSON(dst)
		if lines {
			dst = append(dst, '\n')
		}
		x.release()
		*x = exchange{}
	}
	return dst
}

// release returns the exchange's scratch and store to their pools, cleared
// of what the report referred to: the pools must not keep the texts alive.
func (x *exchange) release() {
	sc := x.sc
	if x.r.Reply != nil {
		clear(x.r.Reply.Signals)
	}
	// Each buffer's length is what this report wrote of it (earlier
	// reports' parts beyond it were cleared after them).
	clear(sc.sentEv)
	clear(sc.custEv)
	clear(sc.strategies)
	clear(sc.empEv)
	sc.sentEv, sc.custEv, sc.strategies, sc.empEv = sc.sentEv[:0], sc.custEv[:0], sc.strategies[:0], sc.empEv[:0]
	putScratch(sc)
	*x.store = reportStore{}
	storePool.Put(x.store)
}

// replyStore is the storage of a report's reply part, score and
// suggestions: one allocation for each Analyze.
type replyStore struct {
	rep   ReplyReport
	score float64
	sug   [MaxSuggestions]Suggestion
}

// reportStore is the storage of a whole report, kept for AppendJSON.
type reportStore struct {
	cust  CustomerReport
	reply replyStore
}

var storePool = sync.Pool{New: func() any { return new(reportStore) }}

// putScratch returns sc to the pool, unless it holds a huge message's
// buffers.
func putScratch(sc *scratch) {
	if cap(sc.toks) <= 1<<14 && cap(sc.ctoks) <= 1<<14 && cap(sc.ltoks) <= 1<<14 && len(sc.custWords.slots) <= 1<<15 &&
		cap(sc.sentEv) <= 1<<12 && cap(sc.custEv) <= 1<<12 && cap(sc.strategies) <= 1<<12 && cap(sc.rows) <= 1<<15 && cap(sc.empEv) <= 1<<12 {
		scratchPool.Put(sc)
	}
}

// analyze is Analyze, with the report's storage in store, or allocated
// for the report alone when store is nil. With a store, the report's
// signals are the scratch's own, valid until sc is used again.
func analyze(in Input, sc *scratch, store *reportStore) Report {
	x := [1]exchange{{in: in, sc: sc, store: store, work: sc}}
	runStages(x[:])
	return x[0].r
}

// exchange is one analysis in progress: its input, its scratch and store,
// and what each stage has read so far for the next.
type exchange struct {
	in Input
	// sc holds what one stage leaves for another (the texts' tokens) and
	// what the report refers to until it is written (its signals, the
	// evidence of the sentiment, empathy and politeness readers); work,
	// which may be shared with the other exchanges of a batch, what
	// readReply needs only while it runs (the reply's tokens, sentences and
	// phrases): one set of those buffers for a batch stays in the cache.
	sc    *scratch
	work  *scratch
	store *reportStore
	r     Report
	// done is set when the report is complete before the reply is read:
	// there is no reply, or it has no words.
	done   bool
	strict bool
	name   string
	f      findings
	emp    empathy.Result
	pol    politeness.Result
	sent   sentiment.Scores
}

// runStages analyses each exchange of xs, one stage for all of them before
// the next (see AppendJSONLines). Each exchange's report is what it would
// be alone: the stages of one exchange run in the same order.
func runStages(xs []exchange) {
	for i := range xs {
		xs[i].readCustomer()
	}
	for _, stage := range replyStages {
		for i := range xs {
			if !xs[i].done {
				stage(&xs[i])
			}
		}
	}
}

// replyStages are the stages that read a reply, in order.
var replyStages = [...]func(*exchange){
	(*exchange).readReply,
	(*exchange).readEmpathy,
	(*exchange).readPoliteness,
	(*exchange).readSentiment,
	(*exchange).finish,
}

// readCustomer clips both messages, reads the customer's and completes the
// report when there is no reply to read.
func (x *exchange) readCustomer() {
	in, sc, store := &x.in, x.sc, x.store
	var cutC, cutR bool
	in.CustomerMessage, cutC = clip(in.CustomerMessage)
	in.Reply, cutR = clip(in.Reply)
	x.r.Truncated = cutC || cutR
	sc.ctoks = sc.ctoks[:0] // readReply reads them
	if strings.TrimSpace(in.CustomerMessage) != "" {
		sc.ctoks = text.Tokens(in.CustomerMessage, sc.ctoks)
		if store != nil {
			var ev []sentiment.Evidence
			store.cust, ev = analyzeCustomerInto(in.CustomerMessage, sc.ctoks, sc.custEv)
			if ev != nil {
				sc.custEv = ev
			}
			x.r.Customer = &store.cust
		} else {
			c := AnalyzeCustomerTokens(in.CustomerMessage, sc.ctoks)
			x.r.Customer = &c
		}
	}
	switch {
	case strings.TrimSpace(in.Reply) == "":
		x.done = true
	case !hasWords(in.Reply):
		// ".", "!!!", an emoji: nothing for the customer to read. It must
		// not score as a neutral, correct answer would.
		x.r = noWords(x.r, in.Reply)
		x.done = true
	}
}

// readReply reads the reply's words and phrases, in the work scratch.
func (x *exchange) readReply() {
	x.strict = needsPlainLanguage(x.in.Accommodations)
	x.name = strings.TrimSpace(x.in.CustomerName)
	x.f = readReply(x.work, loadLexicons(), x.in.Reply, x.sc.ctoks, x.r.Customer, x.name, x.strict)
}

// readEmpathy reads the reply's empathy levels.
func (x *exchange) readEmpathy() {
	in, sc, f := &x.in, x.sc, &x.f
	// One learn tokenisation of the reply serves both models. The
	// empathy model reads the customer's message from its text (nil
	// tokens): it needs only a set of its words.
	sc.ltoks = learn.Tokenize(sc.ltoks[:0], in.Reply)
	sc.rows = sc.rows[:0] // none, unless the model reads the reply
	emp := models().emp
	switch {
	case f.lang == swahili.Swahili:
		x.emp.Levels = swahiliEmpathy(f)
	case f.onlyAsks && len(f.ack)+len(f.apology)+len(f.care) == 0:
		// "Please DM us your email": a reply that only asks the customer
		// to do something shows no empathy, whatever the model (trained on
		// peer support, not brand replies) reads in its politeness.
	case x.store != nil:
		x.emp, sc.rows = emp.LevelsInto(in.CustomerMessage, in.Reply, nil, sc.ltoks, sc.empEv, sc.rows)
		if x.emp.Evidence != nil {
			sc.empEv = x.emp.Evidence
		}
	default:
		x.emp, sc.rows = emp.LevelsInto(in.CustomerMessage, in.Reply, nil, sc.ltoks, nil, sc.rows)
	}
}

// readPoliteness reads an English reply's politeness, from the learn tokens
// and the n-gram rows readEmpathy left.
func (x *exchange) readPoliteness() {
	x.pol = politeness.Result{Probability: 0.5}
	switch {
	case x.f.lang != swahili.English:
	case x.store != nil:
		// The report is written out before the scratch is used again: its
		// strategies (and sentiment evidence) can live in the scratch.
		x.pol = models().pol.AnalyzeRowsInto(x.in.Reply, x.sc.ltoks, x.sc.rows, x.sc.strategies)
		if x.pol.Strategies != nil {
			x.sc.strategies = x.pol.Strategies
		}
	default:
		x.pol = models().pol.AnalyzeRowsInto(x.in.Reply, x.sc.ltoks, x.sc.rows, nil)
	}
}

// readSentiment reads the reply's sentiment.
func (x *exchange) readSentiment() {
	if x.store == nil {
		x.sent = sentiment.Analyze(x.in.Reply)
		return
	}
	x.sent = sentiment.Analyzer{}.AnalyzeInto(x.in.Reply, x.sc.sentEv)
	if x.sent.Evidence != nil {
		x.sc.sentEv = x.sent.Evidence
	}
}

// finish scores the reply, suggests what to do and completes the report.
func (x *exchange) finish() {
	f, sc, store, name, strict := &x.f, x.sc, x.store, x.name, x.strict
	emp, pol, sent := x.emp, x.pol, x.sent
	// The reply's report, its score and its suggestions in one allocation
	// (none with a store), its signals in another of their own size: room
	// for every possible signal made this the largest allocation of a short
	// reply's analysis.
	var both *replyStore
	if store != nil {
		both = &store.reply
	} else {
		both = new(replyStore)
	}
	score, signals := scoreReply(scoreInput{f: f, empathy: emp.Levels, politeness: pol.Probability, compound: sent.Compound, cust: x.r.Customer, name: name, strict: strict, english: f.lang == swahili.English}, sc.signals[:0])
	if store == nil {
		signals = append([]Signal(nil), signals...)
		clear(sc.signals[:min(len(signals), maxSignals)]) // the pool must not keep the report's evidence alive
	}
	both.score = score
	rep := &both.rep
	// The report lists evidence, not every word: a huge reply must give a
	// report of sensible size.
	sent.Evidence = sent.Evidence[:min(len(sent.Evidence), maxListed)]
	pol.Strategies = pol.Strategies[:min(len(pol.Strategies), maxListed)]
	*rep = ReplyReport{
		Language:             f.lang,
		Sentiment:            sent,
		Empathy:              emp.Levels,
		EmpathyEvidence:      emp.Evidence,
		Politeness:           round2(pol.Probability),
		PolitenessStrategies: pol.Strategies,
		Concreteness:         round2(f.concreteness),
		RatedWords:           f.rated,
		VagueWords:           f.vague,
		PlainLanguage:        f.plain,
		NextStep:             f.next,
		Signals:              signals,
		Suggestions:          suggest(suggestInput{f: f, cust: x.r.Customer, name: name, strict: strict, channel: x.in.Channel, reply: x.in.Reply, sw: x.in.Language == swahili.Swahili}, both.sug[:0]),
	}
	if rep.EmpathyEvidence == nil {
		rep.EmpathyEvidence = []empathy.Evidence{}
	}
	if rep.PolitenessStrategies == nil {
		rep.PolitenessStrategies = []politeness.Strategy{}
	}
	if rep.VagueWords == nil {
		rep.VagueWords = []Alternative{}
	}
	ns := &rep.NextStep
	for _, p := range []*[]Evidence{&ns.WhatEvidence, &ns.WhoEvidence, &ns.WhenEvidence} {
		if *p == nil {
			*p = []Evidence{}
		}
	}
	x.r.Compassion = &both.score
	x.r.Reply = rep
}

// needsPlainLanguage reports whether the customer's accommodations call for
// the stricter plain-language targets: plain language itself, or low vision
// (the reply may be read aloud or magnified, where long sentences are hard
// to follow). Names are normalised as kindred.ParseAccommodation does.
func needsPlainLanguage(accommodations []string) bool {
	for _, a := range accommodations {
		switch normalizeAccommodation(a) {
		case "plain_language", "low_vision":
			return true
		}
	}
	return false
}

func normalizeAccommodation(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

// swahiliEmpathy reads a Kiswahili reply's empathy from its phrases, as the
// English empathy model (trained on English EPITOME posts) cannot:
// emotional reactions from pole, samahani and care words ("pole sana …,
// samahani …" is strong), interpretations from acknowledgement ("naelewa
// jinsi…", a feeling named, the customer's circumstance taken up),
// explorations from questions about the person ("unaendeleaje?").
func swahiliEmpathy(f *findings) empathy.Levels {
	level := func(n int) empathy.Level { return empathy.Level(min(n, 2)) }
	return empathy.Levels{
		EmotionalReactions: level(len(f.apology) + len(f.care)),
		Interpretations:    level(len(f.ack)),
		Explorations:       level(len(f.explore)),
	}
}

// maxListed is how many of the sentiment words and politeness strategies a
// report lists.
const maxListed = 2 * maxEvidence

// hasWords reports whether s has a letter or a digit: ".", "!!!" and
// emoji alone are not an answer.
func hasWords(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// wNoWords is the score's effect of a reply with no words: it tells the
// customer nothing, which is below a plain, correct answer.
const wNoWords = -20

// noWords completes r for a reply with no words in it.
func noWords(r Report, reply string) Report {
	score := float64(ScoreBase + wNoWords)
	r.Compassion = &score
	r.Reply = &ReplyReport{
		Language:             swahili.English,
		Sentiment:            sentiment.Analyze(reply),
		EmpathyEvidence:      []empathy.Evidence{},
		Politeness:           0.5,
		PolitenessStrategies: []politeness.Strategy{},
		Concreteness:         defaultConcreteness,
		VagueWords:           []Alternative{},
		PlainLanguage:        PlainLanguage{Measure: MeasureEnglish, TargetGrade: targetGrade, MaxSentenceWords: maxSentenceWords, LongSentences: []Evidence{}, Jargon: []Alternative{}},
		NextStep:             NextStep{WhatEvidence: []Evidence{}, WhoEvidence: []Evidence{}, WhenEvidence: []Evidence{}},
		Signals:              []Signal{{Name: "no_words", Effect: wNoWords, Evidence: []Evidence{}, Detail: "the reply has no words: it tells the customer nothing"}},
		Suggestions: []Suggestion{{Text: "Write the answer in words: what happens next, who does it and when.",
			Why: "A reply with no words leaves the customer guessing."}},
	}
	if r.Reply.Sentiment.Evidence != nil {
		r.Reply.Sentiment.Evidence = r.Reply.Sentiment.Evidence[:min(len(r.Reply.Sentiment.Evidence), maxListed)]
	}
	return r
}
