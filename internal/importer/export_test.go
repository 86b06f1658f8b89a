package importer

// SetBatching turns batching on or off and answers how it was.
func SetBatching(on bool) bool {
	was := batching
	batching = on
	return was
}

// SetCopying turns the COPY of batched rows on or off and answers how it
// was.
func SetCopying(on bool) bool {
	was := copying
	copying = on
	return was
}
