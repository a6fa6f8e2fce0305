package live

import (
	"net"
	"syscall"
)

// peerClosed reports whether the other end of c has closed the connection
// (or reset it), by peeking at it without waiting. A stream's client sends
// nothing after its request, so an end of file means it has gone.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	gone := false
	var b [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
		case err != nil:
			gone = true
		case n == 0:
			gone = true
		}
		return true // never wait
	})
	return gone || err != nil
}
