// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: writes SYNs with spoofed sources into a tun device as fast as
 * it can, for selftests/synflood.py.  Each SYN comes from a random address
 * in 10.100.0.0/16 and a random port, with a random SEQ and an MSS option;
 * nothing ever answers the SYN,ACKs (they are read and thrown away).
 *
 *   synflood TUN PROTO DADDR DPORT SECONDS
 *
 * Prints "sent N in S s" at the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "atcp_test.h"

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static uint32_t sum16(const void *p, size_t len, uint32_t s)
{
	const uint8_t *b = p;

	for (; len > 1; len -= 2, b += 2)
		s += (uint32_t)b[0] << 8 | b[1];
	if (len)
		s += (uint32_t)b[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

int main(int argc, char **argv)
{
	uint8_t pkt[44], junk[2048];
	struct ifreq ifr = { 0 };
	struct in_addr dst;
	double start, secs;
	unsigned long sent = 0;
	int fd, proto, dport;

	if (argc != 6 || inet_pton(AF_INET, argv[3], &dst) != 1) {
		fprintf(stderr, "usage: synflood TUN PROTO DADDR DPORT SECONDS\n");
		return 2;
	}
	proto = atoi(argv[2]);
	dport = atoi(argv[4]);
	secs = atof(argv[5]);
	rng ^= (uint64_t)getpid() << 32 | (uint64_t)time(NULL);

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		perror("/dev/net/tun");
		return 1;
	}
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		perror("TUNSETIFF");
		return 1;
	}

	start = now();
	while (now() - start < secs) {
		int i;

		for (i = 0; i < 64; i++) {
			uint8_t *ip = pkt, *th = pkt + 20;
			uint32_t src = htonl(0x0a640000 | (rnd() & 0xffff));
			uint32_t seq = rnd(), s;
			uint16_t sport = 1024 + rnd() % 60000;

			memset(pkt, 0, sizeof(pkt));
			ip[0] = 0x45;
			ip[2] = 0;
			ip[3] = sizeof(pkt);
			ip[6] = 0x40;			/* DF */
			ip[8] = 64;
			ip[9] = proto;
			memcpy(ip + 12, &src, 4);
			memcpy(ip + 16, &dst, 4);
			*(uint16_t *)(ip + 10) = fold(sum16(ip, 20, 0));
			th[0] = sport >> 8;
			th[1] = sport & 0xff;
			th[2] = dport >> 8;
			th[3] = dport & 0xff;
			th[4] = seq >> 24;
			th[5] = seq >> 16;
			th[6] = seq >> 8;
			th[7] = seq;
			th[12] = 6 << 4;		/* 24-octet header */
			th[13] = 0x02;			/* SYN */
			th[14] = 0xff;			/* window 65535 */
			th[15] = 0xff;
			th[20] = 2;			/* MSS 1460 */
			th[21] = 4;
			th[22] = 1460 >> 8;
			th[23] = 1460 & 0xff;
			/* checksum over the pseudo-header with PROTO */
			s = sum16(ip + 12, 8, 0) + proto + 24;
			s = sum16(th, 24, s);
			*(uint16_t *)(th + 16) = fold(s);
			if (write(fd, pkt, sizeof(pkt)) == sizeof(pkt))
				sent++;
		}
		while (read(fd, junk, sizeof(junk)) > 0)
			;
	}
	secs = now() - start;
	printf("sent %lu in %.2f s\n", sent, secs);
	return 0;
}
