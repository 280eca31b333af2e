/* SPDX-License-Identifier: MIT */
/*
 * clash: a program that exports functions named like libconfig's, as lighttpd
 * does (config_init, config_free). Built with -rdynamic. The library must load
 * its config without binding libconfig to these: it prints proto=<n> and exits
 * 0, where a wrong binding aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>

__attribute__((visibility("default"))) void config_init(void *c)
{
	(void)c;
	abort();
}

__attribute__((visibility("default"))) void config_destroy(void *c)
{
	(void)c;
	abort();
}

__attribute__((visibility("default"))) void config_clear(void *c)
{
	(void)c;
	abort();
}

int main(void)
{
	int v = -1;
	socklen_t len = sizeof(v);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len);
	printf("proto=%d\n", v);
	return 0;
}
