package compassion

import (
	"slices"
	"strings"
	"sync"

	"github.com/kindred-desk/kindred/compassion/empathy"
	"github.com/kindred-desk/kindred/compassion/internal/learn"
	"github.com/kindred-desk/kindred/compassion/internal/text"
	"github.com/kindred-desk/kindred/compassion/politeness"
	"github.com/kindred-desk/kindred/compassion/sentiment"
	"github.com/kindred-desk/kindred/compassion/swahili"
)

// NextStep says whether a reply tells the customer what will happen, who will
// do it and when. Each found part comes with the words that showed it.
type NextStep struct {
	What         bool       `json:"what"`
	Who          bool       `json:"who"`
	When         bool       `json:"when"`
	WhatEvidence []Evidence `json:"what_evidence"`
	WhoEvidence  []Evidence `json:"who_evidence"`
	WhenEvidence []Evidence `json:"when_evidence"`
	// Times are the clock times the reply gives, on a 24-hour clock
	// ("10:00"): "2 pm", "14:00", and Swahili time, which counts the hours
	// from six ("saa nne asubuhi" is 10:00).
	Times []string `json:"times,omitempty"`
}

// findings is everything readReply sees in a reply, before scoring.
type findings struct {
	ack, apology, ownership, blame, care, dismissive, scripted []Evidence
	explore                                                    []Evidence
	firstAsk                                                   Evidence // the first sentence that asks the customer to act
	asks                                                       int      // how many do
	onlyAsks                                                   bool     // every sentence with words asks the customer to act
	vague, jargon                                              []Alternative
	you, name                                                  []Evidence
	ackFirst                                                   bool // the first acknowledgement comes before the first solution
	next                                                       NextStep
	concreteness                                               float64
	rated                                                      int
	plain                                                      PlainLanguage
	cueAcked                                                   []bool // by index into the customer's cues
	lang                                                       string // swahili.English, Swahili or Mixed
}

// scratch holds the buffers one analysis reuses; a pool shares them between
// calls so that the hot path allocates little.
type scratch struct {
	toks      []text.Token
	ctoks     []text.Token
	cueToks   []text.Token
	nameToks  []text.Token
	info      []wordInfo
	covered   []phraseKind
	matches   []text.Match
	plain     []text.Match
	sentOf    []int32
	firstR    []int32 // each word's wordInfo.reply
	firstP    []int32 // each word's wordInfo.plain
	sents     []text.Span
	custWords wordSet
	stem      []byte
	ltoks     []learn.Token // the reply's, for the models
	signals   [maxSignals]Signal
	// For AppendJSON, which is done with a report before the next: the
	// sentiment evidence of the reply and of the customer's message, the
	// politeness strategies and the empathy evidence.
	sentEv     []sentiment.Evidence
	custEv     []sentiment.Evidence
	strategies []politeness.Strategy
	empEv      []empathy.Evidence
	rows       []int32 // the reply's n-grams' rows in the models' table
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Limits on what one report lists, so that a huge reply gives a report of
// sensible size; the counts behind the score are not limited by them.
const maxEvidence = 8

// maxCues is how many of the customer's cues are each looked for in the
// reply; each look reads the whole reply.
const maxCues = 8

func addEv(list []Evidence, s string, start, end int) []Evidence {
	if len(list) >= maxEvidence {
		return list
	}
	return append(list, evidenceAt(s, start, end))
}

// wordFlags are the closed word classes the rules below use. Every word of
// the lexicon carries its flags and concreteness in one entry (see
// lexicons.words), so that reading a reply looks each word up once.
type wordFlags uint32

const (
	fAddress     wordFlags = 1 << iota // you, your…
	fStop                              // function words, skipped for concreteness
	fFeeling                           // worried, frustrating…
	fTitle                             // Mr, Mrs, Baba…: not the name itself
	fFutureAux                         // will, shall
	fFutureSubj                        // I'll, we'll…
	fOwnSubj                           // I, we and their contractions
	fPerfectAux                        // have, has, I've…
	fProgAux                           // I'm, we're, am, are…
	fSubject                           // subject pronouns
	fNegation                          // not, never
	fIrregularPP                       // sent, made, done…
	fOffice                            // office, team, colleague…
	fImperative                        // send, fill, call… (sentence-initial)
	fWeekday                           // monday…
	fMonth                             // january…, not "may"
	fWhenWord                          // today, tomorrow…
	fPartOfDay                         // morning, afternoon, week…
	fTimeUnit                          // minutes, days…
	fNumberWord                        // one, two…
	fClockSuffix                       // am, pm
	fAdverb                            // also, then, personally…
	fScheduled                         // arrives, reaches…
	fTimePrep                          // by, on, at…
	fThis                              // this, that, it: what a feeling is about
	fSwahili                           // a Kiswahili word (swahili.KnownWords)
	fEnglish                           // an English word (swahili.KnownWords)
	fWhenStart                         // a word a rule of whenAt names: "may", "next", "saa"…
	fWhatStart                         // a word a rule of whatAt names: "going", "let", "is"…
	// The last three follow from the word's spelling alone (see spelling),
	// so that the words of a reply are sorted by flag tests that come out
	// the same word after word rather than by parsing each one.
	fVerb         // swahili.ParseVerb reads it as a verb
	fLooksSwahili // swahili.LooksSwahili
	fDigit        // starts with a digit
)

// wordClasses lists the words of each class. They are small and closed, so
// they live in code rather than in the lexicon files.
var wordClasses = []struct {
	flag  wordFlags
	words string
}{
	{fAddress, "you your yours you're you've you'll you'd yourself wewe yako wako lako kwako chako zako yenu wenu"},
	{fTitle, "mr mrs ms miss mx dr prof sir madam mzee baba mama bi bw mwalimu bibi bwana dada kaka daktari mheshimiwa"},
	{fFutureAux, "will shall"},
	{fFutureSubj, "i'll we'll she'll he'll they'll it'll you'll"},
	{fOwnSubj, "i we i'll we'll i've we've i'm we're"},
	{fPerfectAux, "have has i've we've she's he's it's"},
	{fProgAux, "i'm we're am are is it's"},
	{fSubject, "i we she he they it"},
	{fNegation, "not never"},
	{fIrregularPP, "sent made done put given written taken spoken told paid set found got booked arranged spoke rang left brought"},
	{fOffice, "office team colleague colleagues manager officer department clinic courier supervisor nurse doctor engineer technician caseworker adviser advisor staff branch council desk driver ofisi idara tawi afisa meneja timu mwenzangu wenzangu mhudumu"},
	{fImperative, "send fill call bring go visit click submit complete try check contact email phone come log sign upload reply take use follow download print pay book apply enter ring post collect return attach open dm message share provide reach jaza tuma leta njoo piga fika lipa andika jaribu tembelea"},
	{fWeekday, "monday tuesday wednesday thursday friday saturday sunday jumatatu jumanne jumatano alhamisi ijumaa jumamosi jumapili"},
	{fMonth, "january february march april june july august september october november december jan feb aug sept sep oct nov dec januari februari machi aprili juni julai agosti septemba oktoba novemba desemba"},
	{fWhenWord, "today tonight tomorrow noon midday midnight o'clock leo kesho keshokutwa"},
	{fPartOfDay, "morning afternoon evening week weekend month asubuhi mchana jioni usiku alfajiri"},
	{fTimeUnit, "minute minutes hour hours day days week weeks month months dakika saa masaa siku wiki mwezi miezi"},
	{fNumberWord, "a an one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty"},
	{fClockSuffix, "am pm a.m p.m"},
	{fAdverb, "also then personally already now just still really definitely"},
	{fScheduled, "arrives reaches goes comes leaves starts opens"},
	{fTimePrep, "by on at before until till from ifikapo kabla mpaka hadi"},
	{fThis, "this that it it's that's hii hiyo hili hilo huu hayo"},
	// Flagged so that whenAt and whatAt turn most words away with one
	// test, not a string comparison per rule.
	{fWhenStart, "may this next tomorrow saa wiki mwezi mwaka ndani tarehe end within in"},
	{fWhatStart, "going let i we way is was has have"},
}

// wordInfo is what the lexicon knows of one word.
type wordInfo struct {
	flags wordFlags
	conc  uint16 // concreteness × 100; 0 when unrated
	syl   uint8  // syllables, counted once when the lexicon loads; 0 when not counted
	// reply and plain are the word's First numbers in lexicons.reply and
	// lexicons.plain (0: no phrase starts with it), so that finding the
	// phrases needs no lookup of its own.
	reply, plain uint16
}

// reading is a reply split into words, each with its lexicon entry and
// sentence.
type reading struct {
	s      string
	toks   []text.Token
	info   []wordInfo
	sentOf []int32
	// The last word swahiliVerb read, and what it found: the pass over the
	// words asks about each word up to three times (its own rules, whatAt,
	// whoFor), and parsing it as a verb was 2% of Analyze.
	verbAt int
	verb   swahili.Verb
	verbOK bool
}

// is reports whether word i exists and has flag f.
func (r *reading) is(i int, f wordFlags) bool {
	return i >= 0 && i < len(r.toks) && r.info[i].flags&f != 0
}

// lower returns word i lower-cased, or "" past either end.
func (r *reading) lower(i int) string {
	if i < 0 || i >= len(r.toks) {
		return ""
	}
	return r.toks[i].Lower
}

// same reports whether words i and j exist and are in one sentence.
func (r *reading) same(i, j int) bool {
	return i >= 0 && j >= 0 && i < len(r.toks) && j < len(r.toks) && r.sentOf[i] == r.sentOf[j]
}

// readReply reads reply (with the customer's report, when there is one,
// and its words, ctoks) for everything the score and the suggestions need.
func readReply(sc *scratch, lx *lexicons, reply string, ctoks []text.Token, cust *CustomerReport, name string, strict bool) findings {
	var f findings
	toks := text.Tokens(reply, sc.toks[:0])
	sc.toks = toks
	sents := text.AppendSentences(sc.sents[:0], reply)
	sc.sents = sents

	// Each word's lexicon entry and sentence, in slices sized once and
	// filled by index rather than by four appends a word.
	nw := len(toks)
	info, sentOf := slices.Grow(sc.info[:0], nw)[:nw], slices.Grow(sc.sentOf[:0], nw)[:nw]
	firstR, firstP := slices.Grow(sc.firstR[:0], nw)[:nw], slices.Grow(sc.firstP[:0], nw)[:nw]
	si := 0
	sw, en := 0, 0
	for k, t := range toks {
		for si < len(sents)-1 && int(t.Start) >= sents[si].End {
			si++
		}
		sentOf[k] = int32(si)
		wi, ok := lx.words.Get(t.Lower)
		if !ok {
			wi.flags = spelling(t.Lower)
		}
		s, e := langTally(wi.flags)
		sw += s
		en += e
		info[k] = wi
		firstR[k] = int32(wi.reply)
		firstP[k] = int32(wi.plain)
	}
	sc.info, sc.sentOf, sc.firstR, sc.firstP = info, sentOf, firstR, firstP
	r := &reading{s: reply, toks: toks, info: info, sentOf: sentOf, verbAt: -1}
	var lang swahili.Counter
	lang.AddCounts(sw, en)
	f.lang = lang.Language()

	ackTok, solTok := -1, -1
	firstSol := func(i int) {
		if solTok < 0 || i < solTok {
			solTok = i
		}
	}
	firstAck := func(i int) {
		if ackTok < 0 || i < ackTok {
			ackTok = i
		}
	}

	// Listed phrases. covered marks the tokens a phrase covers, by kind,
	// so that the reflection rule below does not count "we understand your
	// frustration" (a scripted formula) as acknowledgement.
	sc.matches = lx.reply.FindFirst(toks, firstR, sc.matches[:0])
	covered := sc.covered[:0]
	if len(sc.matches) > 0 {
		covered = append(covered, make([]phraseKind, len(toks))...)
	}
	sc.covered = covered
	for _, m := range sc.matches {
		pi := lx.info[m.Label]
		switch pi.kind {
		case kindAck:
			f.ack = addEv(f.ack, reply, m.Start, m.End)
			firstAck(m.From)
		case kindApology:
			f.apology = addEv(f.apology, reply, m.Start, m.End)
		case kindOwnership:
			if r.is(m.To, fNegation) || (toks[m.From].Lower == "let" && r.lower(m.To) == "know") {
				continue
			}
			f.ownership = addEv(f.ownership, reply, m.Start, m.End)
			firstSol(m.From)
		case kindBlame:
			f.blame = addEv(f.blame, reply, m.Start, m.End)
		case kindCare:
			f.care = addEv(f.care, reply, m.Start, m.End)
		case kindDismissive:
			if toks[m.From].Lower == "just" && !r.minimisingJust(m.From) {
				continue
			}
			f.dismissive = addEv(f.dismissive, reply, m.Start, m.End)
		case kindScripted:
			f.scripted = addEv(f.scripted, reply, m.Start, m.End)
		case kindExplore:
			f.explore = addEv(f.explore, reply, m.Start, m.End)
		}
		for i := m.From; i < m.To; i++ {
			covered[i] = pi.kind
		}
	}

	sc.plain = lx.plain.FindFirst(toks, firstP, sc.plain[:0])
	for _, m := range sc.plain {
		pi := lx.info[m.Label]
		alt := Alternative{Evidence: evidenceAt(reply, m.Start, m.End), Instead: pi.alt}
		switch {
		case pi.kind == kindVague && len(f.vague) < maxEvidence:
			f.vague = append(f.vague, alt)
		case pi.kind == kindJargon && len(f.jargon) < maxEvidence:
			f.jargon = append(f.jargon, alt)
		}
	}

	// Personal address, the name, the next step and concreteness, in one
	// pass over the words.
	nameToks := sc.nameToks[:0]
	if name != "" {
		nameToks = text.Tokens(name, nameToks)
		n := 0
		for _, t := range nameToks {
			if lx.word(t.Lower).flags&fTitle == 0 && len(t.Lower) > 1 {
				nameToks[n] = t
				n++
			}
		}
		if n > 0 {
			nameToks = nameToks[:n]
		}
	}
	sc.nameToks = nameToks
	var concSum, concN int
	whenEnd := 0
	for i, t := range toks {
		w := t.Lower
		fl := info[i].flags
		// "you" inside a scripted formula ("thank you for your patience")
		// speaks to nobody in particular.
		if fl&fAddress != 0 && (len(covered) == 0 || covered[i] != kindScripted) {
			f.you = addEv(f.you, reply, int(t.Start), int(t.End))
		}
		if fl&(fEnglish|fStop|fVerb) != fVerb {
			// Not a Kiswahili verb (swahiliVerb would say so, a call
			// later): the test nearly every word takes the same way.
		} else if v, ok := r.swahiliVerb(i); ok {
			// "nitakupigia": I will call you. The verb speaks to the
			// customer, and a verb of mine owns the next step.
			if v.ToYou {
				f.you = addEv(f.you, reply, int(t.Start), int(t.End))
			}
			if v.Self && (v.Future || v.Done) && (len(covered) == 0 || covered[i] == 0) {
				f.ownership = addEv(f.ownership, reply, int(t.Start), int(t.End))
			}
		}
		for _, nt := range nameToks {
			if w == nt.Lower {
				f.name = addEv(f.name, reply, int(t.Start), int(t.End))
				break
			}
		}
		if i >= whenEnd && fl&whenFirst != 0 {
			if end, ok := r.whenAt(i); ok {
				// One time may take several words: "by Friday 28 November at 2 pm".
				for r.same(end, i) {
					if e2, ok := r.whenAt(end); ok {
						end = e2
					} else if w2 := toks[end].Lower; (isNumber(w2) || w2 == "at" || w2 == "the" || w2 == "of") && r.same(end+1, i) {
						if e2, ok := r.whenAt(end + 1); ok {
							end = e2
						} else if isNumber(w2) {
							end++
						} else {
							break
						}
					} else {
						break
					}
				}
				from := i
				if r.same(i-1, i) && r.is(i-1, fTimePrep) {
					from = i - 1
				}
				whenEnd = end
				f.next.WhenEvidence = addEv(f.next.WhenEvidence, reply, int(toks[from].Start), int(toks[end-1].End))
				for k := i; k < end && len(f.next.Times) < maxEvidence; k++ {
					if h, m, ok := r.clockAt(k); ok {
						f.next.Times = append(f.next.Times, swahili.FormatClock(h, m))
					}
				}
			}
		}
		if fl&whatFirst == 0 {
			// No rule of whatAt starts with this word.
		} else if end, ok := r.whatAt(i); ok {
			f.next.WhatEvidence = addEv(f.next.WhatEvidence, reply, int(t.Start), int(toks[end-1].End))
			firstSol(i)
			if from, ok := r.whoFor(i); ok {
				f.next.WhoEvidence = addEv(f.next.WhoEvidence, reply, int(toks[from].Start), int(t.End))
			}
		}
		if (i == 0 || sentOf[i-1] != sentOf[i]) && r.isImperative(i) {
			firstSol(i)
			if f.asks == 0 {
				f.firstAsk = evidenceAt(reply, int(t.Start), sents[sentOf[i]].End)
			}
			f.asks++
		}
		// Concreteness, of the words that are neither stop words nor
		// numbers. One test picks out the rare word with no rating of its
		// own; the rest is arithmetic, as stop words and content words
		// alternate too irregularly for a branch on them to be foreseen.
		c := info[i].conc
		if uint32(fl&(fStop|fDigit))|uint32(c) == 0 {
			c = sc.rating(lx, w)
		}
		if fl&(fStop|fDigit) != 0 {
			c = 0
		}
		concSum += int(c)
		concN += bit16(c)
	}
	f.next.What = len(f.next.WhatEvidence) > 0
	f.next.Who = len(f.next.WhoEvidence) > 0
	f.next.When = len(f.next.WhenEvidence) > 0
	f.rated = concN
	f.concreteness = defaultConcreteness
	if f.lang != swahili.English {
		f.rated = 0 // the English norms do not rate Kiswahili words
	} else if concN > 0 {
		f.concreteness = float64(concSum) / float64(concN) / 100
	}

	// Acknowledgement by reflection: a sentence that is not itself the
	// solution and names a feeling, or picks up two of the customer's own
	// words while speaking to them.
	custWords := false // whether sc.custWords holds the customer's words yet
	to := 0
	for s := range sents {
		// The sentences' words are consecutive runs of sentOf, read in
		// order: where one sentence's words end the next one's begin.
		from := to
		for from < len(sentOf) && int(sentOf[from]) < s {
			from++
		}
		to = from
		for to < len(sentOf) && int(sentOf[to]) == s {
			to++
		}
		if from == to || (solTok >= from && solTok < to) {
			continue
		}
		// The flags of the sentence's words outside listed phrases, ORed
		// without a branch a word.
		var fl wordFlags
		if len(covered) == 0 {
			for _, wi := range info[from:to] {
				fl |= wi.flags
			}
		} else {
			for i, wi := range info[from:to] {
				fl |= wi.flags & uncovered(covered[from+i])
			}
		}
		address := fl&fAddress != 0
		about, feeling := fl&(fAddress|fThis) != 0, fl&fFeeling != 0
		// The customer's words are compared only where they could
		// decide: in a sentence that speaks to them and names no feeling.
		shared := 0
		if address && !(about && feeling) && cust != nil {
			if !custWords {
				custWords = true
				sc.custWords.reset(len(ctoks))
				// Stop words go in too: the reply side only looks up
				// content words, and skipping them here would cost a
				// lookup per word.
				for _, t := range ctoks {
					if len(t.Lower) > 2 {
						sc.custWords.add(stem(t.Lower))
					}
				}
			}
			var seen string
			for i := from; i < to && shared < 2; i++ {
				if len(covered) > 0 && covered[i] != 0 {
					continue
				}
				if w := toks[i].Lower; len(w) > 2 && info[i].flags&fStop == 0 {
					if st := stem(w); st != seen && sc.custWords.has(st) {
						seen = st
						shared++
					}
				}
			}
		}
		if (about && feeling) || (address && shared >= 2) {
			f.ack = addEv(f.ack, reply, sents[s].Start, sents[s].End)
			firstAck(from)
		}
	}

	// The customer's cues: acknowledged when the reply uses a word that
	// speaks to the cue's kind or one of the cue's own content words.
	if cust != nil && len(cust.Cues) > 0 {
		f.cueAcked = make([]bool, len(cust.Cues))
		for ci, cue := range cust.Cues {
			if ci >= maxCues {
				// A message listing its troubles over and over: judge the
				// rest by the first cue of the same kind.
				for k := range maxCues {
					if cust.Cues[k].Kind == cue.Kind {
						f.cueAcked[ci] = f.cueAcked[k]
						break
					}
				}
				continue
			}
			kindWords := lx.cueWords[cue.Kind]
			sc.cueToks = text.Tokens(cue.Text, sc.cueToks[:0])
			for i, t := range toks {
				w := t.Lower
				if info[i].flags&fStop != 0 || len(w) < 3 {
					continue
				}
				hit := kindWords[w]
				if !hit {
					st := stem(w)
					for _, ct := range sc.cueToks {
						if len(ct.Lower) > 2 && lx.word(ct.Lower).flags&fStop == 0 && stem(ct.Lower) == st {
							hit = true
							break
						}
					}
				}
				if hit {
					f.cueAcked[ci] = true
					f.ack = addEv(f.ack, reply, int(t.Start), int(t.End))
					firstAck(i)
					break
				}
			}
		}
	}
	f.ackFirst = ackTok >= 0 && (solTok < 0 || ackTok <= solTok)
	if f.asks > 0 {
		n := 0
		for i := range toks {
			if i == 0 || sentOf[i] != sentOf[i-1] {
				n++
			}
		}
		f.onlyAsks = n == f.asks
	}
	if f.lang == swahili.English {
		f.plain = plainLanguage(reply, toks, info, sents, sentOf, strict, f.jargon)
	} else {
		// The English reading grade and jargon list would misread
		// Kiswahili: it has its own measure (swahili/plain.go).
		f.jargon = nil
		f.plain = plainKiswahili(reply, toks, sents, sentOf, strict)
	}
	return f
}

// whenFirst and whatFirst are the flags of the words whenAt and whatAt
// may find something at: the pass over a reply's words asks them of no
// other word.
const (
	whenFirst = fWhenWord | fWeekday | fMonth | fPartOfDay | fWhenStart | fDigit
	whatFirst = fFutureSubj | fFutureAux | fPerfectAux | fProgAux | fScheduled | fWhatStart | fVerb
)

// bit is 1 when fl has a flag of f, else 0; bit16 is 1 when c is not 0.
// The compiler makes both a flag set by a comparison, not a branch.
func bit(fl, f wordFlags) int {
	if fl&f != 0 {
		return 1
	}
	return 0
}

func bit16(c uint16) int {
	if c != 0 {
		return 1
	}
	return 0
}

// langTally returns what a word of these flags adds to the Kiswahili and
// English counts, as swahili.Counter's Add would: in arithmetic rather
// than in branches on the word's class, which changes word to word.
func langTally(fl wordFlags) (sw, en int) {
	s := bit(fl, fSwahili)
	e := bit(fl, fEnglish) &^ s
	return s + 2*(bit(fl, fLooksSwahili)&^(s|e)), e
}

// uncovered is all flags for a word no listed phrase covers, else none.
func uncovered(k phraseKind) wordFlags {
	if k == 0 {
		return ^wordFlags(0)
	}
	return 0
}

// defaultConcreteness is reported for a reply without a single rated word:
// 2.5, a little below the middle of the 1–5 scale, near where everyday,
// function-heavy replies sit. It adds no points to the score (see
// scoreReply).
const defaultConcreteness = 2.5

// wordSet is a set of words by 64-bit hash, open addressing, reused between
// analyses without allocating. A hash collision can only make two different
// words count as shared, which costs a reflection rule a false positive once
// in billions.
type wordSet struct {
	slots []uint64 // 0 = empty
}

func (s *wordSet) reset(n int) {
	size := 64
	for size < 2*n {
		size *= 2
	}
	if cap(s.slots) >= size {
		s.slots = s.slots[:size]
		clear(s.slots)
	} else {
		s.slots = make([]uint64, size)
	}
}

func hashWord(w string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(w); i++ {
		h ^= uint64(w[i])
		h *= 1099511628211
	}
	return h | 1
}

func (s *wordSet) add(w string) {
	h := hashWord(w)
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return
		case h:
			return
		}
	}
}

func (s *wordSet) has(w string) bool {
	if len(s.slots) == 0 {
		return false
	}
	h := hashWord(w)
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			return false
		case h:
			return true
		}
	}
}

// minimisingJust reports whether "just" at i minimises the customer's task
// or concern: "Just fill in the form", "you just need to…", "it's just a
// form". Other uses ("I just wanted to say", "I've just posted it", "just
// know that…") are left alone: "just" is too common a word to fault on
// suspicion.
func (r *reading) minimisingJust(i int) bool {
	prev, next, after := "", r.lower(i+1), r.lower(i+2)
	if r.same(i-1, i) {
		prev = r.lower(i - 1)
	}
	switch {
	case (prev == "" || prev == "you" || prev == "please") && r.is(i+1, fImperative):
		return true
	case prev == "you" && (next == "need" || next == "have") && after == "to":
		return true
	case (prev == "it's" || prev == "that's" || prev == "is" || prev == "it") && (next == "a" || next == "an"):
		return true
	}
	return false
}

// isImperative reports whether the sentence starting at word i tells the
// customer to do something ("Fill in the form", "Please send…", "You need to…").
func (r *reading) isImperative(i int) bool {
	w := r.lower(i)
	if w == "please" {
		i++
	}
	if r.is(i, fImperative) {
		return true
	}
	if r.lower(i) == "you" {
		n1, n2 := r.lower(i+1), r.lower(i+2)
		return (n1 == "need" || n1 == "can" || n1 == "should" || n1 == "must") && n2 != "have"
	}
	return false
}

// whatAt reports whether an action is announced at word i ("I'll post",
// "we will send", "we're sending", "I've posted", "I posted", "it will
// arrive", "it reaches you", "is on its way") and returns the end of the
// words that show it.
func (r *reading) whatAt(i int) (int, bool) {
	w := r.toks[i].Lower
	fl := r.info[i].flags
	// in reports whether word i+k is in the same sentence.
	in := func(k int) bool { return r.same(i+k, i) }
	if fl&(fEnglish|fStop|fVerb) == fVerb {
		if _, ok := r.swahiliVerb(i); ok {
			return i + 1, true // "nitampigia", "tumetuma", "itafika"
		}
	}
	if fl&(whatFirst&^fVerb) == 0 {
		return 0, false // no rule below starts with this word (a new rule's first word joins whatFirst)
	}
	verbAfter := func(k int) (int, bool) {
		for in(k) && r.is(i+k, fAdverb) {
			k++
		}
		if !in(k) || r.is(i+k, fNegation) || r.lower(i+k) == "you" {
			return 0, false
		}
		if v := r.lower(i + k); v == "be" || v == "have" {
			if in(k+1) && !r.is(i+k+1, fNegation) {
				return i + k + 2, true
			}
			return 0, false
		}
		return i + k + 1, true
	}
	switch {
	case fl&fFutureSubj != 0:
		return verbAfter(1)
	case fl&fFutureAux != 0:
		if !r.same(i-1, i) {
			return 0, false // "Will you…?" asks; it promises nothing
		}
		return verbAfter(1)
	case w == "going" && r.lower(i+1) == "to" && (r.is(i-1, fProgAux) || r.lower(i-1) == "i'm"):
		return verbAfter(2)
	case w == "let" && r.lower(i+1) == "me" && in(2) && r.lower(i+2) != "know":
		return i + 3, true
	case (w == "i" || w == "we") && in(1):
		// "I posted it", "we sent it": done already.
		if v := r.lower(i + 1); len(v) > 3 && strings.HasSuffix(v, "ed") && v != "need" || r.is(i+1, fIrregularPP) {
			return i + 2, true
		}
	case fl&fPerfectAux != 0:
		if (w == "have" || w == "has") && !r.is(i-1, fSubject) {
			return 0, false
		}
		k := 1
		for in(k) && r.is(i+k, fAdverb) {
			k++
		}
		if r.lower(i+k) == "been" {
			k++
		}
		if !in(k) {
			return 0, false
		}
		if v := r.lower(i + k); len(v) > 3 && strings.HasSuffix(v, "ed") || r.is(i+k, fIrregularPP) {
			return i + k + 1, true
		}
	case fl&fProgAux != 0 && w != "is" && w != "it's":
		if v := r.lower(i + 1); in(1) && len(v) > 5 && strings.HasSuffix(v, "ing") && v != "going" && v != "having" && v != "being" {
			return i + 2, true
		}
	case fl&fScheduled != 0 && r.same(i-1, i):
		// "it reaches you by Friday": a timetable, as good as a promise.
		switch r.lower(i - 1) {
		case "it", "card", "letter", "form", "parcel", "payment":
			return i + 1, true
		}
	case w == "way" && r.lower(i-2) == "on" && (r.lower(i-1) == "its" || r.lower(i-1) == "the"):
		return i + 1, true
	case (w == "is" || w == "was" || w == "has" || w == "have") && r.same(i-1, i) && !r.is(i-1, fSubject|fAddress|fOwnSubj):
		// "Your refund has been processed", "the $13 is back on your
		// card": done, said of the thing rather than the person.
		k := 1
		if r.lower(i+k) == "been" {
			k++
		} else if w == "has" || w == "have" {
			return 0, false
		}
		v := r.lower(i + k)
		if !r.same(i, i+k) || r.is(i+k, fNegation) {
			return 0, false
		}
		if v == "back" || doneWords[v] {
			return i + k + 1, true
		}
	}
	return 0, false
}

// doneWords say that a thing has been dealt with: "the charge is
// refunded", "your card has been sent".
var doneWords = map[string]bool{
	"refunded": true, "credited": true, "processed": true, "cancelled": true, "canceled": true, "fixed": true,
	"sorted": true, "resolved": true, "sent": true, "posted": true, "dispatched": true, "shipped": true,
	"approved": true, "reversed": true, "restored": true, "reactivated": true, "replaced": true, "booked": true,
	"paid": true, "updated": true, "corrected": true, "removed": true, "waived": true, "delivered": true,
}

// whoFor reports who does the action announced at word i: "I", "we", a
// named person ("Amina will call") or an office ("the passport office
// will"), and returns the index of the first word that names them.
func (r *reading) whoFor(i int) (int, bool) {
	if r.is(i, fOwnSubj) {
		return i, true
	}
	if v, ok := r.swahiliVerb(i); ok && v.Self {
		return i, true // the verb says who: "nitampigia", I will call
	}
	j := i - 1
	for r.same(j, i) && r.is(j, fAdverb) {
		j--
	}
	if !r.same(j, i) {
		return 0, false
	}
	p, fl := r.toks[j], r.info[j].flags
	switch {
	case fl&fOwnSubj != 0:
		return j, true
	case fl&fOffice != 0:
		from := j
		for r.same(from-1, i) && j-from < 3 && !r.is(from-1, fStop) {
			from--
		}
		return from, true
	case r.s[p.Start] >= 'A' && r.s[p.Start] <= 'Z' && fl&(fStop|fAddress) == 0:
		return j, true // a name: "Amina will call you"
	}
	return 0, false
}

// whenAt reports whether a concrete time starts at word i ("today",
// "Friday", "28 November", "2 pm", "14:00", "within 2 working days", "this
// afternoon", "next Monday") and returns the end of its words. Vague times
// ("soon", "shortly") are not times.
func (r *reading) whenAt(i int) (int, bool) {
	fl := r.info[i].flags
	w := r.toks[i].Lower
	if fl&whenFirst == 0 {
		return 0, false // no rule below starts with this word (a new rule's first word joins whenFirst)
	}
	switch {
	case fl&(fWhenWord|fWeekday|fMonth) != 0:
		return i + 1, true
	case w == "may" && (isNumber(r.lower(i+1)) || isNumber(r.lower(i-1))):
		return i + 1, true
	case (w == "this" || w == "next" || w == "tomorrow") && r.is(i+1, fPartOfDay|fWeekday):
		return i + 2, true
	case r.is(i-1, fWhenWord|fWeekday) && swahili.IsPartOfDay(w) && r.same(i-1, i):
		return i + 1, true // "kesho asubuhi", read on from "kesho"
	case w == "saa":
		if n, _, _, ok := swahili.Clock(r.sentenceWord(i)); ok {
			return i + n, true
		}
	case (w == "wiki" || w == "mwezi" || w == "mwaka") && r.same(i, i+1):
		switch r.lower(i + 1) {
		case "ijayo", "ujao", "hii", "huu":
			return i + 2, true
		}
	case w == "ndani" && r.lower(i+1) == "ya" && r.is(i+2, fTimeUnit) && r.same(i, i+2):
		// "ndani ya siku mbili": within two days.
		if n := r.lower(i + 3); r.same(i, i+3) && (isNumber(n) || swahili.IsNumber(n)) {
			return i + 4, true
		}
	case w == "tarehe" && isNumber(r.lower(i+1)) && r.same(i, i+1):
		return i + 2, true
	case w == "end" && r.lower(i+1) == "of":
		if n := r.lower(i + 2); n == "today" || n == "day" {
			return i + 3, true
		}
		if r.is(i+3, fPartOfDay) {
			return i + 4, true
		}
	case (w == "within" || w == "in") && (r.is(i+1, fNumberWord) || isNumber(r.lower(i+1))):
		k := 2
		if n := r.lower(i + k); n == "working" || n == "business" {
			k++
		}
		if r.is(i+k, fTimeUnit) {
			return i + k + 1, true
		}
	case isNumber(w):
		// "2 pm", "14:00"
		if r.is(i+1, fClockSuffix) {
			return i + 2, true
		}
		if i+1 < len(r.toks) && r.toks[i+1].Start == r.toks[i].End+1 && r.s[r.toks[i].End] == ':' && isNumber(r.lower(i+1)) {
			return i + 2, true
		}
	case isClock(w):
		return i + 1, true
	}
	return 0, false
}

func isNumber(w string) bool {
	if w == "" || len(w) > 4 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// isClock reports words like "2pm", "10am", "28th", "1st", "3rd".
func isClock(w string) bool {
	n := 0
	for n < len(w) && w[n] >= '0' && w[n] <= '9' {
		n++
	}
	if n == 0 || n > 2 {
		return false
	}
	switch w[n:] {
	case "am", "pm", "th", "st", "nd", "rd", "h":
		return true
	}
	return false
}

// stem strips a common English ending so that "forms" meets "form" and
// "waited" meets "waiting". It returns a substring of w: no allocation.
func stem(w string) string {
	n := len(w)
	switch {
	case n > 5 && strings.HasSuffix(w, "ing"):
		return w[:n-3]
	case n > 4 && strings.HasSuffix(w, "ed"):
		return w[:n-2]
	case n > 4 && strings.HasSuffix(w, "ly"):
		return w[:n-2]
	case n > 3 && w[n-1] == 's' && w[n-2] != 's':
		return w[:n-1]
	}
	return w
}

// rating looks up the concreteness of a word the norms do not list as it is:
// they list lemmas, so it tries the forms its common endings come from
// ("forms" → "form", "arrived" → "arrive", "posting" → "post", "replies" →
// "reply"). It returns 0 when none is rated.
func (sc *scratch) rating(lx *lexicons, w string) uint16 {
	n := len(w)
	try := func(base, suffix string) uint16 {
		sc.stem = append(append(sc.stem[:0], base...), suffix...)
		wi, _ := lx.words.GetBytes(sc.stem)
		return wi.conc
	}
	var c uint16
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		c = try(w[:n-3], "y")
	case n > 3 && strings.HasSuffix(w, "'s"):
		c = try(w[:n-2], "")
	case n > 3 && w[n-1] == 's' && w[n-2] != 's':
		if c = try(w[:n-1], ""); c == 0 {
			c = try(w[:n-2], "")
		}
	case n > 4 && strings.HasSuffix(w, "ed"):
		if c = try(w[:n-1], ""); c == 0 {
			c = try(w[:n-2], "")
		}
	case n > 5 && strings.HasSuffix(w, "ing"):
		if c = try(w[:n-3], ""); c == 0 {
			c = try(w[:n-3], "e")
		}
	}
	return c
}

// plainLanguage measures sentence lengths and the Flesch–Kincaid grade.
func plainLanguage(s string, toks []text.Token, info []wordInfo, sents []text.Span, sentOf []int32, strict bool, jargon []Alternative) PlainLanguage {
	p := PlainLanguage{Measure: MeasureEnglish, TargetGrade: targetGrade, MaxSentenceWords: maxSentenceWords, Jargon: jargon}
	if strict {
		p.TargetGrade, p.MaxSentenceWords = strictTargetGrade, strictSentenceWord
	}
	if p.Jargon == nil {
		p.Jargon = []Alternative{}
	}
	p.LongSentences = []Evidence{}
	syl := 0
	for i, t := range toks {
		if n := info[i].syl; n > 0 {
			syl += int(n)
		} else {
			syl += syllables(t.Lower)
		}
	}
	p.Words = len(toks)
	// Count only sentences with words: "..." alone is not a sentence.
	start := 0
	for start < len(toks) {
		end := start + 1
		for end < len(toks) && sentOf[end] == sentOf[start] {
			end++
		}
		n := end - start
		p.Sentences++
		if n > p.LongestSentenceWords {
			p.LongestSentenceWords = n
		}
		if n > p.MaxSentenceWords && len(p.LongSentences) < maxEvidence {
			sp := sents[sentOf[start]]
			p.LongSentences = append(p.LongSentences, evidenceAt(s, sp.Start, sp.End))
		}
		start = end
	}
	if p.Sentences > 0 {
		p.MeanSentenceWords = round1(float64(p.Words) / float64(p.Sentences))
	}
	p.Grade = round1(fleschKincaid(p.Words, p.Sentences, syl))
	return p
}

// swahiliVerb reads word i as a Kiswahili verb of action ("nitampigia",
// "tumetuma", "itafika"); English words and function words are not.
func (r *reading) swahiliVerb(i int) (swahili.Verb, bool) {
	// fVerb says whether ParseVerb would read the word as a verb.
	if i < 0 || i >= len(r.toks) || r.info[i].flags&(fEnglish|fStop|fVerb) != fVerb {
		return swahili.Verb{}, false
	}
	if i != r.verbAt {
		r.verbAt = i
		r.verb, r.verbOK = swahili.ParseVerb(r.toks[i].Lower)
	}
	return r.verb, r.verbOK
}

// sentenceWord returns a function giving the k-th lower-cased word from
// word i, or "" past the end of its sentence: what swahili.Clock reads.
func (r *reading) sentenceWord(i int) func(k int) string {
	return func(k int) string {
		if !r.same(i, i+k) {
			return ""
		}
		return r.toks[i+k].Lower
	}
}

// clockAt reads a clock time at word i: Swahili time ("saa nne asubuhi"),
// "2 pm", "2pm" or "14:00".
func (r *reading) clockAt(i int) (hour, minute int, ok bool) {
	w := r.toks[i].Lower
	switch {
	case w == "saa":
		if _, h, m, ok := swahili.Clock(r.sentenceWord(i)); ok {
			return h, m, true
		}
	case isNumber(w) && r.is(i+1, fClockSuffix) && r.same(i, i+1):
		return hour12(w, r.toks[i+1].Lower[0] == 'p')
	case isClock(w) && (strings.HasSuffix(w, "am") || strings.HasSuffix(w, "pm")):
		return hour12(w[:len(w)-2], strings.HasSuffix(w, "pm"))
	case isNumber(w) && i > 0 && r.lower(i-1) == "saa":
		return 0, 0, false // read with its "saa"
	case isNumber(w) && i+1 < len(r.toks) && r.toks[i+1].Start == r.toks[i].End+1 && r.s[r.toks[i].End] == ':' && isNumber(r.lower(i+1)):
		h, m := atoi(w), atoi(r.lower(i+1))
		if h < 24 && m < 60 {
			return h, m, true
		}
	}
	return 0, 0, false
}

func hour12(w string, pm bool) (int, int, bool) {
	h := atoi(w)
	if h < 1 || h > 12 {
		return 0, 0, false
	}
	h %= 12
	if pm {
		h += 12
	}
	return h, 0, true
}

func atoi(w string) int {
	n := 0
	for i := 0; i < len(w) && i < 4; i++ {
		if w[i] < '0' || w[i] > '9' {
			return -1
		}
		n = n*10 + int(w[i]-'0')
	}
	return n
}
