package swahili

import "strconv"

// Swahili time counts the hours from six: the day's first hour, 7 am, is
// "saa moja" (hour one) and 10 am is "saa nne" (hour four); the night's
// hours count again from 6 pm. The part of the day ("asubuhi", morning;
// "mchana", afternoon; "jioni", evening; "usiku", night; "alfajiri", dawn)
// says which.

// hourWords are the Swahili hours, one to twelve.
var hourWords = map[string]int{
	"moja": 1, "mbili": 2, "tatu": 3, "nne": 4, "tano": 5, "sita": 6,
	"saba": 7, "nane": 8, "tisa": 9, "kumi": 10,
}

// IsPartOfDay reports asubuhi, mchana, jioni, usiku, alfajiri: the words
// that place a Swahili hour in the day. It is asked of every word of a
// reply, where a switch is several times cheaper than a map.
func IsPartOfDay(w string) bool {
	switch w {
	case "asubuhi", "mchana", "jioni", "usiku", "alfajiri":
		return true
	}
	return false
}

// Clock reads a Swahili time that starts with "saa" at word 0 of word
// ("saa nne", "saa 4 asubuhi", "saa kumi na moja jioni", "saa tatu na
// nusu", "saa nne kasorobo") and returns how many words it took and the
// time on a 24-hour clock. word(k) returns the k-th lower-cased word from
// "saa", or "" past the end of the sentence. A "saa" followed by "am" or
// "pm" ("saa 10 am") is an English-clock time and is read as such.
func Clock(word func(k int) string) (n, hour, minute int, ok bool) {
	if word(0) != "saa" {
		return 0, 0, 0, false
	}
	h, k := 0, 1
	w := word(1)
	if v, isWord := hourWords[w]; isWord {
		h, k = v, 2
		if v == 10 && word(2) == "na" {
			if v2, ok := hourWords[word(3)]; ok && v2 <= 2 {
				h, k = 10+v2, 4
			}
		}
	} else if v, err := strconv.Atoi(w); err == nil && v >= 0 && v <= 24 {
		h, k = v, 2
		if s := word(2); s == "am" || s == "pm" || s == "a.m" || s == "p.m" {
			// An English clock written after "saa".
			if v < 1 || v > 12 {
				return 0, 0, 0, false
			}
			h24 := v % 12
			if s[0] == 'p' {
				h24 += 12
			}
			return 3, h24, 0, true
		}
		if v > 12 {
			// "saa 14:00" and the like: already a 24-hour clock.
			return 2, v % 24, 0, true
		}
	} else {
		return 0, 0, 0, false
	}
	if h == 0 {
		return 0, 0, 0, false
	}
	// Minutes: "na nusu" (half past), "na robo" (quarter past), "kasoro
	// robo" / "kasorobo" (quarter to).
	switch {
	case word(k) == "na" && word(k+1) == "nusu":
		minute, k = 30, k+2
	case word(k) == "na" && word(k+1) == "robo":
		minute, k = 15, k+2
	case word(k) == "kasorobo":
		minute, k = -15, k+1
	case word(k) == "kasoro" && word(k+1) == "robo":
		minute, k = -15, k+2
	}
	part := word(k)
	if IsPartOfDay(part) {
		k++
	} else if part == "za" || part == "ya" {
		// "saa nne za asubuhi"
		if p := word(k + 1); IsPartOfDay(p) {
			part, k = p, k+2
		}
	}
	hour = hourOf(h, part)
	if minute < 0 {
		hour, minute = (hour+23)%24, 45
	}
	return k, hour, minute, true
}

// hourOf turns Swahili hour h (1–12) in a part of the day into the hour of
// a 24-hour clock.
func hourOf(h int, part string) int {
	e := (h + 6) % 12 // the English hour, 0 for twelve
	switch part {
	case "asubuhi", "alfajiri":
		if e == 0 {
			return 12 // saa sita asubuhi: noon
		}
		return e
	case "mchana":
		switch {
		case e == 0:
			return 12
		case e >= 9:
			return e // "saa tano mchana": late morning, 11:00
		}
		return e + 12
	case "jioni":
		if e == 0 {
			return 12
		}
		return e + 12
	case "usiku":
		switch {
		case e == 0:
			return 0
		case e >= 6:
			return e + 12
		}
		return e
	}
	// No part of the day: the office's day, 7 am (saa moja) to 6 pm (saa
	// kumi na mbili).
	return 6 + h
}

// FormatClock writes a 24-hour time as "10:00".
func FormatClock(hour, minute int) string {
	b := make([]byte, 0, 5)
	b = append(b, byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10))
	return string(b)
}

// IsNumber reports a Kiswahili number word, one to ten ("siku mbili").
func IsNumber(w string) bool {
	_, ok := hourWords[w]
	return ok
}
