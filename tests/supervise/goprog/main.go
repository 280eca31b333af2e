// SPDX-License-Identifier: MIT
//
// A Go program for the supervisor suite (stdlib only: builds offline with
// Debian's Go 1.19, which ignores GODEBUG=multipathtcp). Prints what the
// kernel says its sockets are (SO_PROTOCOL: 6 TCP, 262 MPTCP).
//
//	goprog server ADDR:PORT [FILE]        accept one connection, print its sha256 and size
//	                                      (and keep what arrived in FILE)
//	goprog client ADDR:PORT MIB [FILE]    send MIB MiB of seeded pseudo-random data, print its
//	                                      sha256 (and keep what was sent in FILE)
//	goprog proto ADDR:PORT         connect, print SO_PROTOCOL, close
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"strconv"
	"syscall"
)

const soProtocol = 38

func proto(c syscall.Conn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return -1
	}
	p := -1
	rc.Control(func(fd uintptr) {
		p, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, soProtocol)
	})
	return p
}

func die(err error) {
	fmt.Println("error", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: goprog server|client|proto ADDR:PORT [MIB]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "server":
		ln, err := net.Listen("tcp", os.Args[2])
		if err != nil {
			die(err)
		}
		fmt.Println("listener", proto(ln.(*net.TCPListener)))
		c, err := ln.Accept()
		if err != nil {
			die(err)
		}
		fmt.Println("accepted", proto(c.(*net.TCPConn)))
		h := sha256.New()
		var w io.Writer = h
		if len(os.Args) > 3 {
			f, err := os.Create(os.Args[3])
			if err != nil {
				die(err)
			}
			defer f.Close()
			w = io.MultiWriter(h, f)
		}
		n, err := io.Copy(w, c)
		if err != nil {
			die(err)
		}
		fmt.Printf("bytes %d\nsha256 %x\n", n, h.Sum(nil))
		c.Close()
		ln.Close()
	case "client", "proto":
		c, err := net.Dial("tcp", os.Args[2])
		if err != nil {
			die(err)
		}
		fmt.Println("conn", proto(c.(*net.TCPConn)))
		if os.Args[1] == "proto" {
			c.Close()
			return
		}
		mib, _ := strconv.Atoi(os.Args[3])
		gen := rand.New(rand.NewSource(1))
		h := sha256.New()
		var w io.Writer = h
		if len(os.Args) > 4 {
			f, err := os.Create(os.Args[4])
			if err != nil {
				die(err)
			}
			defer f.Close()
			w = io.MultiWriter(h, f)
		}
		buf := make([]byte, 1<<20)
		for i := 0; i < mib; i++ {
			gen.Read(buf)
			w.Write(buf)
			if _, err := c.Write(buf); err != nil {
				die(err)
			}
		}
		fmt.Printf("sha256 %x\n", h.Sum(nil))
		c.Close()
	}
}
