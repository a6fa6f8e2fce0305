// Package reconcile matches the people of two lists, such as the lists of
// prisoners each side of an exchange sends, where the same person is written
// in Ukrainian, in Russian or in Latin letters, with typing errors, missing
// fields and namesakes.
//
// The engine proposes; people confirm. A false match sends the wrong person
// home, so the engine asserts a pair only when the evidence is strong and no
// other candidate comes close, and lists the rest as possible pairs for
// review, each with its reasons.
package reconcile
