package swahili

import (
	"strings"
	"testing"
)

func TestClockReadsSwahiliHoursFromSix(t *testing.T) {
	cases := []struct {
		text string
		n    int
		want string
	}{
		{"saa nne asubuhi", 3, "10:00"},
		{"saa nne", 2, "10:00"},
		{"saa 4 asubuhi", 3, "10:00"},
		{"saa moja asubuhi", 3, "07:00"},
		{"saa kumi na mbili asubuhi", 5, "06:00"},
		{"saa sita mchana", 3, "12:00"},
		{"saa saba mchana", 3, "13:00"},
		{"saa tano mchana", 3, "11:00"},
		{"saa tisa", 2, "15:00"},
		{"saa kumi jioni", 3, "16:00"},
		{"saa kumi na moja jioni", 5, "17:00"},
		{"saa kumi na mbili jioni", 5, "18:00"},
		{"saa moja jioni", 3, "19:00"},
		{"saa mbili usiku", 3, "20:00"},
		{"saa sita usiku", 3, "00:00"},
		{"saa nane usiku", 3, "02:00"},
		{"saa kumi alfajiri", 3, "04:00"},
		{"saa tatu na nusu asubuhi", 5, "09:30"},
		{"saa nne na robo", 4, "10:15"},
		{"saa nne kasorobo", 3, "09:45"},
		{"saa nne za asubuhi", 4, "10:00"},
		{"saa 10 am", 3, "10:00"},
		{"saa 2 pm", 3, "14:00"},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			ws := strings.Fields(c.text)
			n, h, m, ok := Clock(func(k int) string {
				if k < len(ws) {
					return ws[k]
				}
				return ""
			})
			if !ok || n != c.n || FormatClock(h, m) != c.want {
				t.Errorf("Clock(%q) = %d words, %s, %v; want %d words, %s", c.text, n, FormatClock(h, m), ok, c.n, c.want)
			}
		})
	}
}

func TestClockRefusesWhatIsNotATime(t *testing.T) {
	for _, text := range []string{"saa", "saa yangu", "saa ngapi", "saa 99", "leo", "saa 0"} {
		ws := strings.Fields(text)
		if _, _, _, ok := Clock(func(k int) string {
			if k < len(ws) {
				return ws[k]
			}
			return ""
		}); ok {
			t.Errorf("Clock(%q) read a time", text)
		}
	}
}
