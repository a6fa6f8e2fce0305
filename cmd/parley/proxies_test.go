package main

import "testing"

func TestTrustedProxiesFlag(t *testing.T) {
	c := cli{Proxies: []string{"10.0.0.0/8", " 192.0.2.7 ", "2001:db8::/32", ""}}
	got, err := c.trustedProxies()
	if err != nil || len(got) != 3 || got[1].String() != "192.0.2.7/32" {
		t.Fatalf("%v %v", got, err)
	}
	c.Proxies = []string{"balancer.example.org"}
	if _, err := c.trustedProxies(); err == nil {
		t.Error("a host name was taken for an address")
	}
}
