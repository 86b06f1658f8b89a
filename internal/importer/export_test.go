package importer

// SetBatching turns batching on or off and answers how it was.
func SetBatching(on bool) bool {
	was := batching
	batching = on
	return was
}
