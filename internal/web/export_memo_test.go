package web

// UseChromium makes the PDF of a memorandum use the browser at path, for a
// test; it returns the function that puts the default back.
func UseChromium(path string) (restore func()) {
	old := chromium
	chromium = path
	return func() { chromium = old }
}
