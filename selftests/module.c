// SPDX-License-Identifier: GPL-2.0
/*
 * Module life: atcp loads and unloads without a splat, its socket exists
 * only while it is loaded, an open socket pins it, and loading or unloading
 * twice gives the ordinary errors.
 */
// timeout: 900 (the debug kernel loads and unloads slowly)
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "atcp_test.h"

FIXTURE(module) {
	int unused;
};

FIXTURE_SETUP(module)
{
	ASSERT_EQ(0, atcp_ensure_loaded());
	kmsg_splats(NULL, 0);
}

FIXTURE_TEARDOWN(module)
{
	/* Leave the module loaded for the tests that follow. */
	EXPECT_EQ(0, atcp_ensure_loaded());
}

/* 20 cycles: about 10 s on 6.1, minutes on the debug kernel under TCG */
TEST_F_TIMEOUT(module, load_unload_no_splat, 600)
{
	char splat[512];
	int i;

	kmsg_splats(NULL, 0);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, atcp_unload());
		ASSERT_FALSE(atcp_loaded());
		ASSERT_EQ(0, atcp_load());
		ASSERT_TRUE(atcp_loaded());
	}
	EXPECT_EQ(0, kmsg_splats(splat, sizeof(splat))) {
		TH_LOG("kernel log: %s", splat);
	}
}

TEST_F(module, socket_while_loaded)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);

	ASSERT_LE(0, fd) {
		TH_LOG("socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP): errno %d", errno);
	}
	close(fd);
}

TEST_F(module, socket_without_module)
{
	int fd;

	ASSERT_EQ(0, atcp_unload());
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	if (fd >= 0)
		close(fd);
}

TEST_F(module, unload_refused_while_socket_open)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);

	ASSERT_LE(0, fd);
	/* delete_module(2) answers EWOULDBLOCK for a module in use. */
	EXPECT_EQ(-EWOULDBLOCK, atcp_unload());
	EXPECT_TRUE(atcp_loaded());
	/* rmmod(8) refuses too. */
	EXPECT_NE(0, system("rmmod atcp 2>/dev/null"));
	close(fd);
	EXPECT_EQ(0, atcp_unload());
	EXPECT_FALSE(atcp_loaded());
}

TEST_F(module, load_twice)
{
	EXPECT_EQ(-EEXIST, atcp_load());
	EXPECT_TRUE(atcp_loaded());
}

TEST_F(module, unload_twice)
{
	EXPECT_EQ(0, atcp_unload());
	EXPECT_EQ(-ENOENT, atcp_unload());
}

static struct sockaddr_in lo_addr(int port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	return a;
}

#define SA(a)	((struct sockaddr *)(a))

/*
 * The three ways back to CLOSED through disconnect (issue 8 item 4) on
 * explicitly bound ports, then rmmod: no bind bucket may remain (the debug
 * kernel's slab reports "Objects remaining in atcp_bind_bucket" and warns
 * when kmem_cache_destroy() finds one; Debian's kernels merge the cache
 * with others and cannot tell).  rmmod is retried while orphans finish.
 */
TEST_F_TIMEOUT(module, disconnect_leaves_no_bind_bucket, 600)
{
	struct sockaddr_in a1 = lo_addr(41001), a2 = lo_addr(41002);
	struct sockaddr_in a3 = lo_addr(41003), a4 = lo_addr(41004);
	struct sockaddr_in a5 = lo_addr(41005);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int fd, l, c, s, i;
	char splat[512];

	kmsg_splats(NULL, 0);
	/* bind + a refused blocking connect */
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, SA(&a1), sizeof(a1)));
	EXPECT_EQ(-1, connect(fd, SA(&a2), sizeof(a2)));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(fd);
	/* bind + connect + connect(AF_UNSPEC) */
	l = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);
	c = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);
	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, bind(l, SA(&a3), sizeof(a3)));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, bind(c, SA(&a4), sizeof(a4)));
	ASSERT_EQ(0, connect(c, SA(&a3), sizeof(a3)));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, connect(c, &unspec, sizeof(unspec)));
	close(c);
	close(s);
	close(l);
	/* bind + listen + shutdown(SHUT_RD) */
	l = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, bind(l, SA(&a5), sizeof(a5)));
	ASSERT_EQ(0, listen(l, 4));
	EXPECT_EQ(0, shutdown(l, SHUT_RD));
	close(l);
	/* rmmod once the module is free (orphans may take a moment) */
	for (i = 0; i < 100 && atcp_unload() == -EWOULDBLOCK; i++)
		usleep(100000);
	EXPECT_FALSE(atcp_loaded());
	EXPECT_EQ(0, kmsg_splats(splat, sizeof(splat))) {
		TH_LOG("kernel log: %s", splat);
	}
}

TEST_HARNESS_MAIN
