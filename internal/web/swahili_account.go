package web

// Swahili for the account pages: invitations, reset links, changing one's
// own password, and the admin page's people and service accounts.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Set your password":            "Weka nenosiri lako",
		"Welcome to kindred":           "Karibu kindred",
		"Welcome to kindred, %s":       "Karibu kindred, %s",
		"Set a new password":           "Weka nenosiri jipya",
		"New password":                 "Nenosiri jipya",
		"Current password":             "Nenosiri la sasa",
		"Change password":              "Badilisha nenosiri",
		"Change your password":         "Badilisha nenosiri lako",
		"Your account":                 "Akaunti yako",
		"You sign in with this email.": "Unaingia kwa barua pepe hii.",
		"Save password and sign in":    "Hifadhi nenosiri kisha uingie",
		"Choose a password for your account. You will be signed in straight away.":                                                   "Chagua nenosiri la akaunti yako. Utaingia mara moja.",
		"Choose a new password. Your old one stops working, and any browser still signed in is signed out.":                          "Chagua nenosiri jipya. La zamani litaacha kufanya kazi, na kivinjari chochote kilichoingia kitatolewa.",
		"This link does not work. It may have been used already, a newer one may have been made, or it is more than three days old.": "Kiungo hiki hakifanyi kazi. Huenda kimeshatumika, kimetolewa kipya zaidi, au kina zaidi ya siku tatu.",
		"Ask an administrator for a new link.":                                                       "Muulize msimamizi akupe kiungo kipya.",
		"Your password is changed. Any other browser that was signed in as you has been signed out.": "Nenosiri lako limebadilishwa. Kivinjari kingine chochote kilichoingia kwa jina lako kimetolewa.",
		"Too many wrong passwords. Please wait a minute, then try again.":                            "Manenosiri mengi mno yasiyo sahihi. Tafadhali subiri dakika moja, kisha ujaribu tena.",
		"is not your current password":                                                               "si nenosiri lako la sasa",
		"current":                                                                                    "Nenosiri la sasa",

		// The admin page.
		"People":                   "Watu",
		"Not yet: no password set": "Bado: hakuna nenosiri",
		"Password reset link":      "Kiungo cha kuweka nenosiri jipya",
		"Invitation link":          "Kiungo cha mwaliko",
		"for %s":                   "cha %s",
		"Service accounts":         "Akaunti za mifumo",
		"No service accounts.":     "Hakuna akaunti za mifumo.",
		"Disabled":                 "Imezimwa",
		"Accounts for other systems, such as an SMS gateway. They use API tokens, never sign in, and are not offered as colleagues.":                          "Akaunti za mifumo mingine, kama lango la SMS. Zinatumia tokeni za API, haziingii kamwe, na hazionyeshwi kama wenzako.",
		"With an email, you get an invitation link to send them: they choose their own password. Without one, the account is for API tokens only.":            "Ukiweka barua pepe, utapata kiungo cha mwaliko cha kumtumia: atachagua nenosiri lake mwenyewe. Bila barua pepe, akaunti ni ya tokeni za API tu.",
		"The invitation for %s is below. Send it to them yourself, for example by email. It works once, until %s.":                                            "Mwaliko wa %s uko hapa chini. Mtumie wewe mwenyewe, kwa mfano kwa barua pepe. Unafanya kazi mara moja, hadi %s.",
		"The password reset link for %s is below. Send it to them yourself. It works once, until %s; their current password keeps working until they use it.": "Kiungo cha kuweka nenosiri jipya cha %s kiko hapa chini. Mtumie wewe mwenyewe. Kinafanya kazi mara moja, hadi %s; nenosiri lake la sasa linaendelea kufanya kazi hadi atakapokitumia.",
		"It will not be shown again. Anyone with the link can set the password, so send it only to them.":                                                     "Hakitaonyeshwa tena. Yeyote mwenye kiungo anaweza kuweka nenosiri, kwa hiyo mtumie yeye tu.",
	})
}
