package web

// The words email brings to the console.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Files":    "Faili",
		"download": "pakua",
	})
}
