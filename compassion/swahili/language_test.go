package swahili

import (
	"strings"
	"testing"
)

func TestDetectTellsEnglishKiswahiliAndTheMix(t *testing.T) {
	cases := []struct{ text, want string }{
		{"pole sana mama wanjiru samahani kwa kuchelewa nitampigia simu ofisi ya uchapishaji leo na nitakujulisha kesho saa nne", Swahili},
		{"jaza fomu tena", Swahili},
		{"asante", Swahili},
		{"mzee wangu amefariki na sina pesa ya kulipa", Swahili},
		{"i'm so sorry mrs wanjiru i will call the printing office today and let you know tomorrow at 10", English},
		{"pole mama wanjiru i'm so sorry for the delay i will call the office today", English},
		{"sasa manze hii account yangu imeblockiwa since last week please help", Mixed},
		{"nimejaribu kulogin but the app keeps crashing", Mixed},
		{".", English},
		{"", English},
		{"12345", English},
	}
	for _, c := range cases {
		if got := Detect(strings.Fields(c.text)); got != c.want {
			var cn Counter
			for _, w := range strings.Fields(c.text) {
				cn.Add(w)
			}
			sw, en := cn.Counts()
			t.Errorf("Detect(%q) = %s (sw %d, en %d), want %s", c.text, got, sw, en, c.want)
		}
	}
}

func TestVerbPrefixesDoNotTakeEnglishWords(t *testing.T) {
	for _, w := range []string{"attempts", "alive", "anyone", "amazing", "update", "account", "kindle", "hospital"} {
		if classify(w) == classSw {
			t.Errorf("%q read as Kiswahili", w)
		}
	}
	for _, w := range []string{"nitakupigia", "amefariki", "kuchelewa", "tumepokea", "nitakujulisha", "hatujapata"} {
		if classify(w) != classSw {
			t.Errorf("%q not read as Kiswahili", w)
		}
	}
}
