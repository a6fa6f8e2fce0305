package reconcile

import (
	"slices"
)

// Blocking: comparing every pair of two lists of 100,000 is 10^10
// comparisons, so each entry is compared only with the entries that share one
// of a few keys with it. Each key survives one kind of noise the others do
// not:
//
//	family+given         dates missing or wrong
//	family+year          a mistyped given name
//	family+day and month a mistyped given name and a year off by more
//	                     than one (day and month unordered)
//	given+date           a mistyped family name (day and month unordered,
//	                     year ±1 on the query side)
//	family−1 letter+given a mistyped family name and no date
//	family+patronymic    a mistyped given name and no date
//	family−1 letter+year mistyped family and given names
//	patronymic+date      the same, when the year is off too
//	both names, read as given names, unordered
//	                     names exchanged in the right list with a given
//	                     name translated (Vyshn Mykola, Николай Вишн)
//
// Left entries query both as written and with family and given name
// exchanged.
type entry struct {
	key uint64
	idx int32
}

const (
	kFamGiv = iota + 1
	kFamYear
	kGivDate
	kDelGiv
	kFamPat
	kDelYear
	kPatDate
	kNames
	kFamDayMonth
)

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func bkey(kind int, a, b, c int64) uint64 {
	return mix(mix(mix(uint64(kind)<<56^uint64(a))^uint64(b)) ^ uint64(c))
}

// delHash hashes key k with the w bytes from i left out (none if i < 0),
// and a letter doubled by the deletion read once, as the key reads it:
// Макаришин typed МААРИШИН keys as mariSin, and makariSin without its k
// reads the same.
func delHash(k string, i, w int) int64 {
	h := uint64(14695981039346656037)
	var last byte
	for j := 0; j < len(k); j++ {
		if i >= 0 && j >= i && j < i+w {
			continue
		}
		if k[j] == last {
			continue
		}
		last = k[j]
		h ^= uint64(k[j])
		h *= 1099511628211
	}
	return int64(h)
}

// unitAt reports whether a letter written as two bytes of the key (я ia,
// ю iu, щ SC) starts at k[i]: deleting it is one typing error.
func unitAt(k string, i int) bool {
	if i+1 >= len(k) {
		return false
	}
	switch k[i : i+2] {
	case "ia", "iu", "SC":
		return true
	}
	return false
}

func dateKey(y, m, d int16) int64 {
	lo, hi := min(m, d), max(m, d)
	return int64(y)<<16 | int64(lo)<<8 | int64(hi)
}

// keys appends the blocking keys of one reading of an entry. When query is
// true it widens them to the neighbouring years, since only one side needs to.
func keys(dst []uint64, f, g *nameField, r *rec, query bool) []uint64 {
	// Family names that agree once е and і are merged (Олійник,
	// Олейник) block together, as they compare.
	fam, famID, givID := f.key, f.vid, g.id
	dst = append(dst, bkey(kFamGiv, int64(famID), int64(givID), 0))
	if r.y != 0 {
		dst = append(dst, bkey(kFamYear, int64(famID), int64(r.y), 0))
		if query {
			dst = append(dst, bkey(kFamYear, int64(famID), int64(r.y-1), 0), bkey(kFamYear, int64(famID), int64(r.y+1), 0))
		}
		if r.m != 0 {
			dst = append(dst, bkey(kFamDayMonth, int64(famID), dateKey(0, r.m, r.d), 0))
			dst = append(dst, bkey(kGivDate, int64(givID), dateKey(r.y, r.m, r.d), 0))
			if query {
				dst = append(dst, bkey(kGivDate, int64(givID), dateKey(r.y-1, r.m, r.d), 0), bkey(kGivDate, int64(givID), dateKey(r.y+1, r.m, r.d), 0))
			}
		}
	}
	del := func(h int64) {
		dst = append(dst, bkey(kDelGiv, h, int64(givID), 0))
		if r.y != 0 {
			dst = append(dst, bkey(kDelYear, h, int64(r.y), 0))
		}
	}
	for i := -1; i < len(fam); i++ {
		if i >= 0 && len(fam) < 4 {
			break
		}
		del(delHash(fam, i, 1))
		if i >= 0 && len(fam) >= 5 && unitAt(fam, i) {
			del(delHash(fam, i, 2))
		}
	}
	if r.patID >= 0 && r.m != 0 {
		dst = append(dst, bkey(kPatDate, int64(r.patID), dateKey(r.y, r.m, r.d), 0))
		if query {
			dst = append(dst, bkey(kPatDate, int64(r.patID), dateKey(r.y-1, r.m, r.d), 0), bkey(kPatDate, int64(r.patID), dateKey(r.y+1, r.m, r.d), 0))
		}
	}
	if r.patID >= 0 {
		dst = append(dst, bkey(kFamPat, int64(famID), int64(r.patID), 0))
	}
	return dst
}

// index builds the sorted key table of the right list.
func (m *Matcher) index() []entry {
	var idx []entry
	var ks []uint64
	for j := range m.r {
		r := &m.r[j]
		ks = keys(ks[:0], &r.fam, &r.giv, r, false)
		ks = append(ks, namesKey(r))
		for _, k := range ks {
			idx = append(idx, entry{k, int32(j)})
		}
	}
	slices.SortFunc(idx, func(a, b entry) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return int(a.idx - b.idx)
	})
	return slices.Compact(idx)
}

// queryKeys returns the keys a left entry looks up: as written and with
// family and given name exchanged.
func (m *Matcher) queryKeys(dst []uint64, a *rec) []uint64 {
	dst = keys(dst, &a.fam, &a.giv, a, true)
	dst = append(dst, namesKey(a))
	if a.famSw.id != a.fam.id {
		dst = keys(dst, &a.famSw, &a.givSw, a, true)
	}
	return dst
}

// lowerBound returns the first position in idx whose key is at least k.
func lowerBound(idx []entry, k uint64) int {
	lo, hi := 0, len(idx)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if idx[h].key < k {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// namesKey is the key of both names read as given names, in either order:
// it finds a pair whose names one list exchanged even when the given name is
// translated, which the family key of the exchanged reading (Mykola against
// Николай) does not.
func namesKey(r *rec) uint64 {
	a, b := r.givSw.id, r.giv.id
	return bkey(kNames, int64(min(a, b)), int64(max(a, b)), 0)
}
