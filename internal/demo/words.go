package demo

import "github.com/kindred-desk/kindred"

// The demo's people and words. Replies come in three kinds of care: warm
// (the topic's own, naming the person, owning the next step and its date),
// plain (correct but impersonal) and cold (blame, brush-offs, forms); the
// compassion engine scores each as it would a real one.

var staff = []struct {
	name, email, team string
	role              kindred.Role
	warmth, growth    float64
}{
	{"Wanjiru Kamau", "wanjiru.kamau@desk.example", "Pensions", kindred.RoleLead, 0.8, 0.05},
	{"Otieno Ouma", "otieno.ouma@desk.example", "Pensions", kindred.RoleAgent, 0.35, 0.35},
	{"Halima Abdi", "halima.abdi@desk.example", "Pensions", kindred.RoleAgent, 0.7, 0.1},
	{"Amina Njeri", "amina.njeri@desk.example", "Cards", kindred.RoleAgent, 0.85, 0.05},
	{"Brian Mwangi", "brian.mwangi@desk.example", "Cards", kindred.RoleAgent, 0.25, 0.4},
	{"Faith Chebet", "faith.chebet@desk.example", "Cards", kindred.RoleAgent, 0.55, 0.15},
	{"Joseph Kiptoo", "joseph.kiptoo@desk.example", "Front desk", kindred.RoleLead, 0.6, 0.1},
	{"Grace Achieng", "grace.achieng@desk.example", "Front desk", kindred.RoleAgent, 0.75, 0},
	{"Mercy Wambui", "mercy.wambui@desk.example", "Front desk", kindred.RoleAgent, 0.4, 0.2},
}

// firstNames, with what an elder of that name is often called.
var firstNames = []struct{ name, elder string }{
	{"Joseph", "Baba"}, {"Mary", "Mama"}, {"Peter", "Mzee"}, {"Grace", "Mama"}, {"John", "Mzee"}, {"Esther", "Mama"},
	{"David", "Baba"}, {"Lucy", "Mama"}, {"Samuel", "Mzee"}, {"Ruth", "Mama"}, {"James", "Baba"}, {"Agnes", "Mama"},
	{"Daniel", "Mzee"}, {"Wanjiku", "Mama"}, {"Kamau", "Baba"}, {"Akinyi", "Mama"}, {"Omondi", "Baba"}, {"Chebet", "Mama"},
	{"Kiprono", "Mzee"}, {"Nafula", "Mama"}, {"Barasa", "Baba"}, {"Zawadi", "Mama"}, {"Juma", "Mzee"}, {"Fatuma", "Mama"},
}

var lastNames = []string{"Otieno", "Wanjiru", "Mwangi", "Kariuki", "Odhiambo", "Njoroge", "Kiprotich", "Wafula", "Mutua",
	"Achieng", "Kilonzo", "Ochieng", "Nyambura", "Rotich", "Onyango", "Karanja", "Muthoni", "Hassan", "Mohamed", "Waweru"}

// worries come before a customer's message when they are under strain.
var worries = []string{
	"I am 82 years old and I cannot keep coming to the office.",
	"My husband passed away last month and I am alone now.",
	"I have no money left for food this week.",
	"I use a wheelchair and the office stairs are very hard for me.",
	"My hands go numb in the cold so I cannot fill the form again.",
	"I am so worried, I have been waiting for weeks and nobody answers.",
	"I am sick in hospital and my daughter is writing for me.",
	"This is the third time I am asking and I am very upset.",
	"I cannot read the code on my phone, the letters are too small.",
}

type topic struct {
	subject, tag, team string
	thing              string // what we send: "Your card"
	delay              string // why it may be late, for a heads-up ("" for none)
	swDelay            string // the same in Kiswahili
	asks, again, warm  []string
	sw                 words // the customer's and the warm replies' words in Kiswahili
}

// words are what a customer writes about a topic and the warm replies to it.
type words struct{ asks, again, warm []string }

// swWorries are the worries in Kiswahili.
var swWorries = []string{
	"Nina miaka 82 na siwezi kuendelea kuja ofisini.",
	"Mume wangu alifariki mwezi uliopita na sasa niko peke yangu.",
	"Sina pesa ya chakula wiki hii.",
	"Natumia kiti cha magurudumu na ngazi za ofisi ni ngumu sana kwangu.",
	"Mikono yangu hufa ganzi kwenye baridi kwa hivyo siwezi kujaza fomu tena.",
	"Nina wasiwasi sana, nimesubiri kwa wiki kadhaa na hakuna anayenijibu.",
	"Ni mgonjwa hospitalini na binti yangu ananiandikia.",
	"Hii ni mara ya tatu ninauliza na nimekasirika sana.",
	"Sioni namba kwenye simu yangu, herufi ni ndogo sana.",
}

var topics = []topic{
	{
		subject: "Replacement card has not arrived", tag: "card", team: "Cards", thing: "Your new card",
		delay:   "the card printer broke down this week and we are printing the cards again",
		swDelay: "mashine ya kuchapisha kadi iliharibika wiki hii na tunachapisha kadi upya",
		asks: []string{
			"My replacement card has still not come. I applied three weeks ago.",
			"I lost my card and I need a new one. I cannot collect my payment without it.",
			"The card you sent has my name spelt wrong. What do I do?",
		},
		again: []string{"It is still not here. Where is it?", "Nobody has called me. Please tell me what is happening."},
		sw: words{
			asks: []string{
				"Kadi yangu mpya bado haijafika. Niliomba wiki tatu zilizopita.",
				"Nilipoteza kadi yangu na nahitaji mpya. Siwezi kuchukua malipo yangu bila kadi.",
				"Kadi mliyonitumia ina jina langu limeandikwa vibaya. Nifanye nini?",
			},
			again: []string{"Bado haijafika. Iko wapi?", "Hakuna aliyenipigia simu. Tafadhali niambieni kinachoendelea."},
			warm: []string{
				"{name}, samahani sana kwamba kadi yako haijafika na umeachwa ukisubiri. Nimeichapisha upya leo mimi mwenyewe na kuituma; itakufikia kufikia {date}. Huhitaji kujaza fomu yoyote tena. Nitakupigia simu {day} kuhakikisha imefika.",
				"Asante kwa kutuambia, {name}. Samahani kwamba kadi ilikuwa na jina lisilo sahihi. Nimelirekebisha na kuagiza kadi mpya leo. Itakuwa tayari mezani kufikia {date}, na nitakutumia SMS mara tu itakapofika.",
				"{name}, naelewa jinsi ilivyo vigumu kukaa bila kadi yako. Nimeomba ichapishwe upya haraka asubuhi hii, nambari ya kumbukumbu {ref}. Nitaileta mezani mimi mwenyewe kufikia {date} na nitakupigia simu {day} kupanga utakavyoichukua.",
			},
		},
		warm: []string{
			"{name}, I'm so sorry your card has not arrived, and that you have been left waiting. I have reprinted it today myself and posted it; it will reach you by {date}. You don't need to fill any form again. I'll call you on {day} to check it came.",
			"Thank you for telling us, {name}. I'm sorry the card had the wrong name. I have corrected it and ordered a new one today. It will be ready at the desk by {date}, and I'll send you an SMS the moment it is there.",
			"{name}, I understand how hard it is to be without your card. I have asked for an urgent reprint this morning, reference {ref}. I will bring it to the desk myself by {date} and call you on {day} to arrange collection.",
		},
	},
	{
		subject: "Pension payment missing", tag: "pension", team: "Pensions", thing: "Your payment",
		delay:   "the bank has not yet confirmed this month's transfers",
		swDelay: "benki bado haijathibitisha malipo ya mwezi huu",
		asks: []string{
			"My pension has not arrived this month and I need it for my medicine.",
			"Why was my pension payment smaller this month?",
			"I have not received my pension for two months.",
		},
		again: []string{"The money is still not in my account.", "I went to the bank and they said nothing came."},
		sw: words{
			asks: []string{
				"Pensheni yangu haijaingia mwezi huu na ninaihitaji kwa dawa zangu.",
				"Kwa nini malipo yangu ya pensheni yalikuwa kidogo mwezi huu?",
				"Sijapokea pensheni yangu kwa miezi miwili.",
			},
			again: []string{"Pesa bado haijaingia kwenye akaunti yangu.", "Nilienda benki na wakasema hakuna kilichoingia."},
			warm: []string{
				"{name}, samahani sana kwamba pensheni yako haijaingia, na najua dawa zako haziwezi kusubiri. Nimeangalia kumbukumbu zako: malipo yalizuiliwa na fomu iliyokosekana, ambayo nimekujazia leo. Pesa itaingia kwenye akaunti yako kufikia {date}. Nitakupigia simu {day} kuhakikisha imefika.",
				"Asante kwa kuuliza, {name}. Samahani kwamba jambo hili lilikutia wasiwasi. Malipo yalikuwa kidogo kwa sababu ya mabadiliko ya kodi; nimeyaangalia na ni sahihi, lakini nimeomba urejeshewe pesa unazodai, nambari ya kumbukumbu {ref}. Zitakufikia kufikia {date}. Nitakupigia simu {day} kukueleza zaidi ukipenda.",
				"{name}, naelewa jinsi miezi miwili bila pensheni ilivyokuwa migumu, na samahani. Nimepeleka suala lako kwa timu ya malipo kama jambo la dharura leo na nitalifuatilia mimi mwenyewe. Utapata pesa kufikia {date}, na nitakupigia simu {day}.",
			},
		},
		warm: []string{
			"{name}, I'm so sorry your pension has not come, and I know your medicine cannot wait. I have checked your record: the payment was held by a missing form, which I have completed for you today. The money will be in your account by {date}. I'll call you on {day} to make sure it arrived.",
			"Thank you for asking, {name}. I'm sorry this was a worry. The payment was smaller because of a tax change; I have checked it and it is correct, but I have asked for the refund you are owed, reference {ref}. It will reach you by {date}. I'll call you on {day} to explain it in person if you like.",
			"{name}, I hear how stressful two months without your pension has been, and I'm sorry. I have sent your case to the payments team as urgent today and I will follow it myself. You will have the money by {date}, and I'll call you on {day}.",
		},
	},
	{
		subject: "Change of address", tag: "address", team: "Front desk", thing: "Your letter",
		asks: []string{
			"I have moved house. Please update my address.",
			"Please send my letters to my daughter's address in Nakuru.",
		},
		again: []string{"Has my address been changed?"},
		sw: words{
			asks: []string{
				"Nimehamia nyumba nyingine. Tafadhali badilisheni anwani yangu.",
				"Tafadhali tumeni barua zangu kwa anwani ya binti yangu huko Nakuru.",
			},
			again: []string{"Je, anwani yangu imebadilishwa?"},
			warm: []string{
				"Asante, {name}. Nimebadilisha anwani yako leo, na nitakutumia barua kwa anwani mpya kufikia {date} ili uone kwamba inafanya kazi. Kama kuna kosa lolote, jibu hapa tu na nitalirekebisha.",
				"{name}, asante kwa kutujulisha. Barua zako sasa zitaenda kwa anwani ya binti yako kuanzia leo. Nitakutumia SMS {day} kuthibitisha kwamba kila kitu kiko sawa.",
			},
		},
		warm: []string{
			"Thank you, {name}. I have updated your address today, and I'll send you a letter to the new address by {date} so you can see it works. If anything is wrong, just reply here and I'll fix it.",
			"{name}, thank you for letting us know. Your letters will now go to your daughter's address from today. I'll send you an SMS on {day} to confirm everything is set.",
		},
	},
	{
		subject: "Refund request", tag: "refund", team: "Pensions", thing: "Your refund",
		delay:   "the finance office is closed for the audit until Friday",
		swDelay: "ofisi ya fedha imefungwa kwa ukaguzi hadi Ijumaa",
		asks: []string{
			"I was charged twice for the same service. I want my money back.",
			"When will I get the refund you promised last month?",
		},
		again: []string{"I still have not seen the refund.", "You promised it would be quick."},
		sw: words{
			asks: []string{
				"Nilitozwa mara mbili kwa huduma moja. Nataka pesa yangu irudishwe.",
				"Nitapata lini pesa mliyoahidi kunirudishia mwezi uliopita?",
			},
			again: []string{"Bado sijaona pesa iliyorudishwa.", "Mliahidi itakuwa haraka."},
			warm: []string{
				"{name}, samahani kwamba ulitozwa mara mbili; hilo halikupaswa kutokea. Nimefuta malipo ya pili leo, nambari ya kumbukumbu {ref}, na pesa itarudi kwenye akaunti yako kufikia {date}. Nitaangalia {day} kuhakikisha imeingia.",
				"{name}, samahani kwamba bado unasubiri pesa tuliyoahidi kukurudishia. Nimeifuatilia na idara ya fedha asubuhi hii na imeidhinishwa. Itakufikia kufikia {date}, na nitakupigia simu {day} kuthibitisha.",
			},
		},
		warm: []string{
			"{name}, I'm sorry you were charged twice; that should not have happened. I have cancelled the second charge today, reference {ref}, and the refund will be in your account by {date}. I'll check on {day} that it has gone through.",
			"{name}, I'm sorry you are still waiting for the refund we promised. I have chased it with finance this morning and it is approved. It will reach you by {date}, and I'll call you on {day} to confirm.",
		},
	},
	{
		subject: "Help with the online form", tag: "form", team: "Front desk", thing: "Your application",
		asks: []string{
			"I cannot understand the online form. It keeps giving an error.",
			"I don't have a computer. How can I apply?",
		},
		again: []string{"I tried again and it still does not work."},
		sw: words{
			asks: []string{
				"Sielewi fomu ya mtandaoni. Inaendelea kuonyesha kosa.",
				"Sina kompyuta. Naweza kuomba vipi?",
			},
			again: []string{"Nimejaribu tena na bado haifanyi kazi."},
			warm: []string{
				"{name}, samahani kwamba fomu imekuwa ngumu hivi. Huhitaji kuitumia: naweza kuijaza pamoja nawe kwa simu. Nitakupigia simu {day} asubuhi, na maombi yako yatakuwa yamewasilishwa kufikia {date}.",
				"Asante kwa kuuliza, {name}. Huhitaji kompyuta. Njoo dirisha namba 3 asubuhi yoyote, au naweza kukupigia simu {day} na kukujazia. Maombi yako yatakamilika kufikia {date}.",
			},
		},
		warm: []string{
			"{name}, I'm sorry the form has been so difficult. You don't need to use it: I can fill it in with you over the phone. I'll call you on {day} morning, and your application will be in by {date}.",
			"Thank you for asking, {name}. You don't need a computer. Come to desk 3 any morning, or I can call you on {day} and fill it in for you. Your application will be done by {date}.",
		},
	},
}

var plainReplies = []string{
	"Thank you for your message. We have received your request and it is being looked into. We will update you soon.",
	"Your request has been noted. The relevant department will contact you in due course.",
	"We have forwarded your matter to the team concerned. Please allow some time for processing.",
	"Thank you for contacting us. Your case has been logged and will be handled as soon as possible.",
}

var swPlainReplies = []string{
	"Asante kwa ujumbe wako. Tumepokea ombi lako na linashughulikiwa. Tutakujulisha hivi karibuni.",
	"Ombi lako limepokelewa. Idara husika itawasiliana nawe kwa wakati wake.",
	"Tumepeleka suala lako kwa timu inayohusika. Tafadhali subiri lishughulikiwe.",
	"Asante kwa kuwasiliana nasi. Suala lako limeandikwa na litashughulikiwa haraka iwezekanavyo.",
}

var swColdReplies = []string{
	"Ombi lako linashughulikiwa. Subiri.",
	"Kama nilivyosema tayari, unahitaji kujaza fomu tena.",
	"Hatuwezi kufanya lolote kuhusu hilo. Angalia tovuti.",
	"Hiyo si idara yetu. Ulipaswa kuomba mapema.",
	"Lazima uje ofisini wewe mwenyewe. Hakuna namna nyingine.",
}

var coldReplies = []string{
	"Your request is being processed. Please wait.",
	"As I already said, you need to fill the form again.",
	"We can't do anything about that. Check the website.",
	"That is not our department. You should have applied earlier.",
	"You must come to the office in person. No exceptions.",
}

var happyComments = []string{
	"She called me back as she promised. Thank you.",
	"Very kind, and the card came on the day she said.",
	"He explained everything in simple words.",
	"Thank you for not making me fill the form again.",
}

var unhappyComments = []string{
	"Nobody told me when it would come.",
	"I had to ask three times.",
	"The answer was rude.",
	"I still do not understand what will happen.",
}

var swHappyComments = []string{
	"Alinipigia simu kama alivyoahidi. Asante.",
	"Mkarimu sana, na kadi ilifika siku aliyosema.",
	"Alinieleza kila kitu kwa maneno rahisi.",
	"Asante kwa kutonilazimisha kujaza fomu tena.",
}

var swUnhappyComments = []string{
	"Hakuna aliyeniambia itafika lini.",
	"Ilinibidi niulize mara tatu.",
	"Jibu lilikuwa la dharau.",
	"Bado sielewi kitakachotokea.",
}

var followUpDone = []string{
	"Called: the card arrived, she was very pleased.",
	"Spoke to his daughter: the money is in the account.",
	"Checked by SMS: all well.",
}

var followUpSkipped = []string{
	"No answer after three calls; sent an SMS instead.",
	"The customer asked us not to call.",
}

// kindnesses are acts of care colleagues saw; %s is the one who did it.
var kindnesses = []string{
	"%s walked Baba Otieno to the bus stop in the rain after his visit.",
	"%s stayed after closing to finish a widow's pension form with her.",
	"%s noticed a customer could not read the small print and read the whole letter aloud, slowly.",
	"%s covered my desk when my child was sick, and left me a note of everything done.",
	"%s called a customer back on a Saturday because she had promised to.",
	"%s fetched a chair and water for an elderly man waiting in the queue.",
	"%s learned a few words of sign language to greet a deaf customer.",
	"%s sat with a crying customer until her son arrived.",
}
